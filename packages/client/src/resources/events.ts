import { randomUUID } from 'node:crypto';
import { Pager } from '../pager';
import type { Transport } from '../transport';
import type {
  Event,
  EventListParams,
  EventWithDeliveries,
  Page,
  PublishParams,
  Published,
} from '../types';
import { path } from './path';

export interface PublishOptions {
  /**
   * The `Idempotency-Key` header: a publish repeated with the same key (within the retention)
   * returns the first one's answer and creates nothing. Default: a random UUID per call, so the
   * client's own retries of this call are safe; pass your own to make your retries safe too
   * (e.g. the id of the row the event is about).
   */
  idempotencyKey?: string;
}

/** `/v1/events`: publishing, listing and reading events. */
export class Events {
  constructor(private readonly http: Transport) {}

  /**
   * Publishes one event to every enabled endpoint subscribed to its name (or to `endpoint_ids`):
   * with `tenant_id`, only that tenant's endpoints; without, only untenanted ones. Operator keys
   * only: with a tenant key it is a 403 `forbidden`.
   */
  publish(event: PublishParams, options: PublishOptions = {}): Promise<Published> {
    return this.http.request({
      method: 'POST',
      path: 'v1/events',
      json: event,
      ...idempotent(options),
    });
  }

  /** Publishes up to 1,000 events at once, all or none; the answers are in the events' order. */
  async publishBatch(events: PublishParams[], options: PublishOptions = {}): Promise<Published[]> {
    const { data } = await this.http.request<{ data: Published[] }>({
      method: 'POST',
      path: 'v1/events/batch',
      json: { events },
      ...idempotent(options),
    });
    return data;
  }

  /**
   * Published events, newest first (within the retention), fetched `limit` at a time as the
   * iteration goes; `tenant_id`, `name`, `after` and `before` narrow them.
   */
  list({ limit, cursor, tenant_id, name, after, before }: EventListParams = {}): Pager<Event> {
    const time = (t: string | Date | undefined) => (t instanceof Date ? t.toISOString() : t);
    return new Pager(
      (next) =>
        this.http.request<Page<Event>>({
          method: 'GET',
          path: 'v1/events',
          searchParams: {
            limit,
            cursor: next,
            tenant_id,
            name,
            after: time(after),
            before: time(before),
          },
        }),
      cursor,
    );
  }

  /** An event and the state of each of its deliveries. */
  get(id: string): Promise<EventWithDeliveries> {
    return this.http.request({ method: 'GET', path: path`v1/events/${id}` });
  }
}

// The key is chosen once per call, before got sees the request, so each of got's retries of that
// call sends the same one.
function idempotent({ idempotencyKey = randomUUID() }: PublishOptions) {
  return { headers: { 'idempotency-key': idempotencyKey }, retryable: true };
}
