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
import { newestAcross, pageOf, type PageResult } from './pagination';
import { readPerShard } from './by-shard';

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
    return (await this.withDeliveries([eventId]))[0];
  }

  /**
   * Published events (test sends are not listed), newest first, by name and creation time, each
   * with the state of its deliveries. Ids sort by creation time, so `after`/`before` are id
   * ranges of each shard's index, merged: the cost is the page (and its deliveries) per shard,
   * not the installation.
   */
  async list(query: EventListQuery, now = Date.now()): Promise<PageResult<EventWithDeliveries>> {
    const tenant = query.tenant_id ?? null;
    const indexes = this.keys.allShards.map((shard) =>
      query.name
        ? this.keys.eventsNamed(shard, tenant, query.name)
        : this.keys.events(shard, tenant),
    );
    const floors = [now - this.options.retentionMs];
    if (query.after) floors.push(Date.parse(query.after));
    const min = `[${idFloor('evt', Math.max(...floors))}`;
    // The cursor is the last id of the previous page; `before` bounds it from above too.
    const bounds = [query.cursor, query.before && idFloor('evt', Date.parse(query.before))];
    const upper = bounds.filter((b): b is string => Boolean(b)).sort()[0];
    const max = upper === undefined ? '+' : `(${upper}`;
    const ids = await newestAcross(this.redis, indexes, { max, min, limit: query.limit });
    const { items, next_cursor } = pageOf(ids, query.limit);
    return { data: await this.withDeliveries(items), next_cursor };
  }

  /**
   * Events with their deliveries' states, in two round trips whatever their number (one pipeline
   * per shard in each): the bodies and delivery lists, then every delivery's state (a delivery
   * is in its event's shard). An expired or unknown event is left out.
   */
  private async withDeliveries(eventIds: readonly string[]): Promise<EventWithDeliveries[]> {
    if (eventIds.length === 0) return [];
    const rows = await readPerShard(this.redis, this.keys, eventIds, (pipeline, id) =>
      pipeline
        .hmget(this.keys.event(id), 'body', 'tenant_id', 'deliveries')
        .lrange(this.keys.eventDeliveries(id), 0, -1),
    );
    // Its deliveries: those written with the event, in its hash, then any added later, in its
    // list (commands/publish-1.lua).
    const events = eventIds.flatMap((_, i) => {
      const [fields, later] = rows[i]!;
      const [body, tenant, withEvent] = fields as (string | null)[];
      if (!body) return [];
      const ids = [...(withEvent ? withEvent.split(',') : []), ...(later as string[])];
      return [{ event: toEvent(body, tenant ?? null), ids }];
    });
    const deliveryIds = events.flatMap((e) => e.ids);
    const states = await readPerShard(this.redis, this.keys, deliveryIds, (pipeline, id) =>
      pipeline.hmget(this.keys.delivery(id), 'endpoint_id', 'status', 'attempts'),
    );
    let next = 0;
    return events.map(({ event, ids }) => ({
      ...event,
      deliveries: ids.flatMap((id): EventDelivery[] => {
        const [endpointId, status, attempts] = states[next++]![0] as (string | null)[];
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
      }),
    }));
  }
}
