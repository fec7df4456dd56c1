import type { ChainableCommander } from 'ioredis';
import { deliveryIdFor, idFloor } from './ids';
import type { RedisKeys } from './keys';

/** What {@link PublishRecords.add} needs of an event. */
export interface EventRecord {
  id: string;
  /** Event type, for the per-name event index. */
  name: string;
  body: string;
  tenantId: string | null;
  test?: boolean;
}

/**
 * The records of one publish transaction in one shard (events, deliveries, the indexes and sets
 * they join), gathered as the arguments of one `commands/publish-1.lua` call, whose header says
 * what each argument is. The caller adds the delivery jobs beside it in the same MULTI.
 */
export class PublishRecords {
  private readonly args: (string | number)[];
  private routeKey: string | undefined;
  /** Events and deliveries gathered so far (what bounds a transaction's size). */
  size = 0;

  constructor(
    private readonly keys: RedisKeys,
    retentionMs: number,
    now: number,
  ) {
    this.args = [retentionMs, now, `(${idFloor('evt', now - retentionMs)}`];
  }

  /**
   * An event (unless `eventWritten`: it is in Redis already) and its deliveries to `endpointIds`.
   * Returns the new deliveries' ids, in the order of `endpointIds`.
   */
  add(event: EventRecord, endpointIds: readonly string[], eventWritten = false): string[] {
    const { keys, args } = this;
    const eventKey = keys.event(event.id);
    this.routeKey ??= eventKey;
    const shard = keys.shardOf(event.id);
    const tenant = event.tenantId ?? '';
    args.push(
      event.id,
      eventWritten ? '' : eventKey,
      event.body,
      tenant,
      event.test ? '1' : '',
      keys.eventDeliveries(event.id),
    );
    // A test send joins no event index: GET /v1/events lists published events only.
    if (eventWritten || event.test) args.push(0);
    else if (event.tenantId === null)
      args.push(2, keys.events(shard, null), keys.eventsNamed(shard, null, event.name));
    else
      args.push(
        4,
        keys.events(shard, null),
        keys.eventsNamed(shard, null, event.name),
        keys.events(shard, event.tenantId),
        keys.eventsNamed(shard, event.tenantId, event.name),
      );
    args.push(endpointIds.length);
    const ids = endpointIds.map((endpointId) => {
      const id = deliveryIdFor(event.id, endpointId);
      args.push(
        keys.delivery(id),
        id,
        endpointId,
        keys.endpointDeliveries(shard, endpointId, 'pending'),
      );
      return id;
    });
    this.size += ids.length + 1;
    return ids;
  }

  /** Queues the script call on `multi`, if anything was added. */
  queue(multi: ChainableCommander): void {
    if (this.routeKey !== undefined) multi.hlPublish(this.routeKey, ...this.args);
  }
}
