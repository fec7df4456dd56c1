import { Pager } from '../pager';
import type { Transport } from '../transport';
import type {
  DeadLetterListParams,
  DeadLetterReplayParams,
  Delivery,
  DeliveryList,
  Replayed,
} from '../types';
import { iso } from './time';

/** `/v1/dead-letter`: deliveries that ran out of attempts or whose endpoint went away or was disabled. */
export class DeadLetter {
  constructor(private readonly http: Transport) {}

  /** Dead deliveries, newest first; all of them, one endpoint's or one tenant's. */
  list({ endpoint_id, tenant_id, limit, cursor }: DeadLetterListParams = {}): Pager<Delivery> {
    return new Pager(
      (after) =>
        this.http.request<DeliveryList>({
          method: 'GET',
          path: 'v1/dead-letter',
          searchParams: { endpoint_id, tenant_id, limit, cursor: after },
        }),
      cursor,
    );
  }

  /**
   * Re-enqueues dead deliveries: those in `ids`, the endpoint's, the tenant's, or (with none of
   * them) the whole dead letter, narrowed to those created from `since` to before `until`; a
   * tenant key's reach stops at its own tenant's. Only what is dead is replayed, so replaying
   * twice is harmless; `replayed` says how many went. Retried like a read, for that reason.
   * With `dry_run: true` nothing is replayed, and `replayed` says how many would have been.
   * The dead letter is read from the log, which shows a delivery there within about a second.
   */
  replay({ since, until, ...params }: DeadLetterReplayParams = {}): Promise<Replayed> {
    return this.http.request({
      method: 'POST',
      path: 'v1/dead-letter/replay',
      json: { ...params, since: iso(since), until: iso(until) },
      retryable: true,
    });
  }
}
