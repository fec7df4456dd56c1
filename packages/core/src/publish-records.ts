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
 * Events and deliveries per script call (an event is never split: a large fan-out's chunk is one
 * call). A 1,000-event batch in one call was one command of ~1.5 MB, which ioredis builds and
 * writes as one string, allocated outside V8's young generation: every batch grew the old
 * generation until a full collection. Measured in the bench, calls of 200 took the producer's
 * peak RSS in the drain from ~240 to ~224 MB and its CPU per batched event from ~0.09 to
 * ~0.06–0.07 ms (50 and 100 were no better). The calls are in one MULTI.
 */
const RECORDS_PER_CALL = 200;

/**
 * The records of one publish transaction in one shard (events, deliveries, the indexes and sets
 * they join), gathered as the arguments of `commands/publish-1.lua` calls, whose header says
 * what each argument is. The caller adds the delivery jobs beside it in the same MULTI.
 */
export class PublishRecords {
  /** The script calls so far: each its routing key and arguments. */
  private readonly calls: { routeKey: string; args: (string | number)[]; records: number }[] = [];
  private readonly head: (string | number)[];
  /** Events and deliveries gathered so far (what bounds a transaction's size). */
  size = 0;

  constructor(
    private readonly keys: RedisKeys,
    retentionMs: number,
    now: number,
  ) {
    this.head = [retentionMs, now, `(${idFloor('evt', now - retentionMs)}`];
  }

  /** The call an event with `deliveries` joins: the last, or a new one when it is full. */
  private callFor(routeKey: string, deliveries: number): (string | number)[] {
    const last = this.calls.at(-1);
    if (last && last.records + deliveries + 1 <= RECORDS_PER_CALL) {
      last.records += deliveries + 1;
      return last.args;
    }
    const call = { routeKey, args: [...this.head], records: deliveries + 1 };
    this.calls.push(call);
    return call.args;
  }

  /**
   * An event (unless `eventWritten`: it is in Redis already) and its deliveries to `endpointIds`.
   * Returns the new deliveries' ids, in the order of `endpointIds`.
   */
  add(event: EventRecord, endpointIds: readonly string[], eventWritten = false): string[] {
    const { keys } = this;
    const eventKey = keys.event(event.id);
    const args = this.callFor(eventKey, endpointIds.length);
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

  /** Queues the script calls on `multi`, if anything was added. */
  queue(multi: ChainableCommander): void {
    for (const { routeKey, args } of this.calls) multi.hlPublish(routeKey, ...args);
  }
}
