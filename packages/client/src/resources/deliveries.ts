import { Pager } from '../pager';
import type { Transport } from '../transport';
import type { Delivery, DeliveryListParams, Page } from '../types';
import { path } from './path';

/** `/v1/deliveries`: one event to one endpoint, with its attempts. */
export class Deliveries {
  constructor(private readonly http: Transport) {}

  get(id: string): Promise<Delivery> {
    return this.http.request({ method: 'GET', path: path`v1/deliveries/${id}` });
  }

  /** An endpoint's deliveries, newest first, optionally only those in one `status`. */
  list({ endpoint_id, status, limit, cursor }: DeliveryListParams): Pager<Delivery> {
    return new Pager(
      (after) =>
        this.http.request<Page<Delivery>>({
          method: 'GET',
          path: path`v1/endpoints/${endpoint_id}/deliveries`,
          searchParams: { status, limit, cursor: after },
        }),
      cursor,
    );
  }

  /** Delivers again now, whatever its status, with a fresh attempt budget (same `Webhook-Id`). */
  retry(id: string): Promise<Delivery> {
    return this.http.request({ method: 'POST', path: path`v1/deliveries/${id}/retry` });
  }
}
