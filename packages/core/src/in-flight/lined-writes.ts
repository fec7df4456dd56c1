import type { ChainableCommander } from 'ioredis';
import { deliveryIdFor } from '../ids';
import { lineOf, type Line } from '../ordering/lines';
import { lineUpArgs } from '../ordering/line-up';
import { execAll } from '../redis/exec';
import type { RedisKeys } from '../redis/keys';
import type { DeliveryJobAdds } from './delivery-job-adds';
import type { PreparedEvent } from './prepare-event';
import { PublishRecords, type NewDelivery } from './publish-records';

/** A delivery of an ordered endpoint about to be made, and its line. */
export interface LinedDelivery extends NewDelivery {
  line: Line;
}

/**
 * The deliveries of `event` to `endpointIds`: those made in its own shard, and those of its
 * ordered endpoints, made in their lines' shards (their ids name the line's slot).
 */
export function splitDeliveries(
  event: PreparedEvent,
  endpointIds: readonly string[],
): { here: NewDelivery[]; lined: LinedDelivery[] } {
  const here: NewDelivery[] = [];
  const lined: LinedDelivery[] = [];
  const orderings = event.orderings;
  for (const endpointId of endpointIds) {
    const key = orderings?.get(endpointId);
    if (!key) {
      here.push({ id: deliveryIdFor(event.event.id, endpointId), endpointId });
      continue;
    }
    const line = lineOf(endpointId, key, {
      tenantId: event.tenantId,
      resourceId: event.event.resource?.id ?? null,
    });
    lined.push({ id: deliveryIdFor(event.event.id, endpointId, line.slot), endpointId, line });
  }
  return { here, lined };
}

/**
 * The deliveries to ordered endpoints of one publish transaction, gathered per line shard
 * (ordering/lines.ts): each shard's are written in a MULTI of their own — the job, its place in
 * its line (commands/line-up-5.lua) and the event's change there — before the publish's own
 * transaction, which names them. A publish cut short in between wrote some lines and answered no
 * 202: what it wrote is delivered, as an unanswered publish may be.
 */
export class LinedWrites {
  private readonly byShard = new Map<number, { event: PreparedEvent; lined: LinedDelivery[] }[]>();

  constructor(
    private readonly keys: RedisKeys,
    private readonly jobs: DeliveryJobAdds,
  ) {}

  /**
   * Splits `endpointIds` of `event` into the deliveries written in its own shard and those lined
   * up (its ordered endpoints'), which are kept here to be written. Both keep the order of
   * `endpointIds`.
   */
  split(
    event: PreparedEvent,
    endpointIds: readonly string[],
  ): { here: NewDelivery[]; lined: NewDelivery[] } {
    const { here, lined } = splitDeliveries(event, endpointIds);
    this.keep(event, lined);
    return { here, lined };
  }

  /** Keeps `lined`, deliveries of `event`, to be written by {@link exec}. */
  keep(event: PreparedEvent, lined: readonly LinedDelivery[]): void {
    for (const delivery of lined) {
      const shard = this.keys.shardOf(delivery.id);
      let writes = this.byShard.get(shard);
      if (!writes) this.byShard.set(shard, (writes = []));
      const last = writes.at(-1);
      if (last?.event === event) last.lined.push(delivery);
      else writes.push({ event, lined: [delivery] });
    }
  }

  /** Writes what was gathered, a MULTI per line shard, events in the order they were split. */
  async exec(now: number): Promise<void> {
    for (const [shard, writes] of this.byShard) {
      const multi: ChainableCommander = await this.jobs.multi();
      const records = new PublishRecords(this.keys);
      for (const { event, lined } of writes) {
        const jobs = records.addIn(event, lined, [], shard);
        jobs.forEach((data, i) => {
          this.jobs.add(multi, data, now);
          multi.hlLineUp(...lineUpArgs(this.keys, data.delivery_id, lined[i]!.line, now));
        });
      }
      records.queue(multi);
      await execAll(multi);
    }
    this.byShard.clear();
  }
}
