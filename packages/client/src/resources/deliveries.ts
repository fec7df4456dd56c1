import { Pager } from '../pager';
import type { Transport } from '../transport';
import type { Delivery, DeliveryList, DeliveryListParams } from '../types';
import { path } from './path';
import { iso } from './time';

/** `/v1/deliveries`: one event to one endpoint, with its attempts. */
export class Deliveries {
  constructor(private readonly http: Transport) {}

  get(id: string): Promise<Delivery> {
    return this.http.request({ method: 'GET', path: path`v1/deliveries/${id}` });
  }

  /**
   * Deliveries from the log, newest first, fetched `limit` at a time as the iteration goes: every
   * one (a tenant key: its tenant's), or those the filters find, all of them ANDed. The log shows
   * a change within about a second of it.
   *
   * ```ts
   * hookline.deliveries.list({ endpoint_id, status: 'failed', name: 'order.*', http_status: 503 });
   * ```
   */
  list({ limit, cursor, since, until, ...filters }: DeliveryListParams = {}): Pager<Delivery> {
    return new Pager(
      (after) =>
        this.http.request<DeliveryList>({
          method: 'GET',
          path: 'v1/deliveries',
          searchParams: { ...filters, since: iso(since), until: iso(until), limit, cursor: after },
        }),
      cursor,
    );
  }

  /** Delivers again now, whatever its status, with a fresh attempt budget (same `Webhook-Id`). */
  retry(id: string): Promise<Delivery> {
    return this.http.request({ method: 'POST', path: path`v1/deliveries/${id}/retry` });
  }
}
