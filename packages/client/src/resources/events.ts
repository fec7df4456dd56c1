import { randomUUID } from 'node:crypto';
import { Pager } from '../pager';
import type { Transport } from '../transport';
import type {
  EventList,
  EventListParams,
  EventWithDeliveries,
  PublishParams,
  Published,
} from '../types';
import { path } from './path';
import { iso } from './time';

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
   * Published events from the log, newest first (within the retention), each with its
   * deliveries' states, fetched `limit` at a time as the iteration goes; `tenant_id`, `name`
   * (exact, or a prefix: `order.*`), `resource_id` and the creation time (`since`/`after`,
   * `until`/`before`) narrow them. The log shows a new event within about a second.
   */
  list({
    limit,
    cursor,
    since,
    until,
    after,
    before,
    ...filters
  }: EventListParams = {}): Pager<EventWithDeliveries> {
    return new Pager(
      (next) =>
        this.http.request<EventList>({
          method: 'GET',
          path: 'v1/events',
          searchParams: {
            ...filters,
            since: iso(since),
            until: iso(until),
            after: iso(after),
            before: iso(before),
            limit,
            cursor: next,
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
