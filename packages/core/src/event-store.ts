import type {
  DeliveryStatus,
  Event,
  EventDelivery,
  EventListQuery,
  EventWithDeliveries,
} from '@hookline/api';
import type { WebhookEvent } from '@hookline/webhooks';
import type { Redis } from 'ioredis';
import { idFloor } from './ids';
import type { RedisKeys } from './keys';
import { pageOf, type PageResult } from './pagination';
import { execAll } from './exec';

/** An event as the API shows it: the stored body and its tenant ('' in Redis for none). */
function toEvent(body: string, tenant: string | null): Event {
  return { ...(JSON.parse(body) as WebhookEvent), tenant_id: tenant ? tenant : null };
}

/**
 * Reading events: one with the state of its deliveries, and the list of published events, newest
 * first. Events are written by the publish path (delivery-store.ts), in the same transaction as
 * their deliveries.
 */
export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: { retentionMs: number },
  ) {}

  /** An event with the state of each of its deliveries, or `undefined` if expired or unknown. */
  async get(eventId: string): Promise<EventWithDeliveries | undefined> {
    const [[body, tenant], ids] = await Promise.all([
      this.redis.hmget(this.keys.event(eventId), 'body', 'tenant_id'),
      this.redis.lrange(this.keys.eventDeliveries(eventId), 0, -1),
    ]);
    if (!body) return undefined;
    const pipeline = this.redis.pipeline();
    for (const id of ids)
      pipeline.hmget(this.keys.delivery(id), 'endpoint_id', 'status', 'attempts');
    const rows = ids.length > 0 ? await execAll(pipeline) : [];
    const deliveries = ids.flatMap((id, i): EventDelivery[] => {
      const [endpointId, status, attempts] = (rows[i] ?? []) as (string | null)[];
      return status
        ? [
            {
              id,
              endpoint_id: endpointId ?? '',
              status: status as DeliveryStatus,
              attempts: Number(attempts ?? 0),
            },
          ]
        : [];
    });
    return { ...toEvent(body, tenant ?? null), deliveries };
  }

  /**
   * Published events (test sends are not listed), newest first, by name and creation time. Ids
   * sort by creation time, so `after`/`before` are id ranges of the index: the cost is the page,
   * not the installation.
   */
  async list(query: EventListQuery, now = Date.now()): Promise<PageResult<Event>> {
    const tenant = query.tenant_id ?? null;
    const index = query.name ? this.keys.eventsNamed(tenant, query.name) : this.keys.events(tenant);
    const floors = [now - this.options.retentionMs];
    if (query.after) floors.push(Date.parse(query.after));
    const min = `[${idFloor('evt', Math.max(...floors))}`;
    // The cursor is the last id of the previous page; `before` bounds it from above too.
    const bounds = [query.cursor, query.before && idFloor('evt', Date.parse(query.before))];
    const upper = bounds.filter((b): b is string => Boolean(b)).sort()[0];
    const max = upper === undefined ? '+' : `(${upper}`;
    const ids = await this.redis.zrevrangebylex(index, max, min, 'LIMIT', 0, query.limit + 1);
    const { items, next_cursor } = pageOf(ids, query.limit);
    if (items.length === 0) return { data: [], next_cursor };
    const pipeline = this.redis.pipeline();
    for (const id of items) pipeline.hmget(this.keys.event(id), 'body', 'tenant_id');
    const rows = await execAll(pipeline);
    // An event that expired before its index entry was trimmed is skipped.
    const data = rows.flatMap((row): Event[] => {
      const [body, tenantId] = (row ?? []) as (string | null)[];
      return body ? [toEvent(body, tenantId ?? null)] : [];
    });
    return { data, next_cursor };
  }
}
