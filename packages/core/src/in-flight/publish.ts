import type { ChainableCommander, Redis } from 'ioredis';
import { groupByShard, readPerShard } from '../redis/by-shard';
import type { Queues } from '../queues';
import { execAll } from '../redis/exec';
import type { RedisKeys } from '../redis/keys';
import type { LogStore } from '../log/log-store';
import type { PreparedEvent } from './prepare-event';
import { fanoutJobId, jobFor } from '../queues';
import type { DeliveryJobAdds } from './delivery-job-adds';
import { PublishRecords } from './publish-records';
import { LinedWrites, splitDeliveries } from './lined-writes';

/**
 * Deliveries per Redis transaction. A publish whose deliveries fit is written in one MULTI:
 * all of it or nothing. Larger fan-outs are written in chunks behind a recovery job.
 */
export const DELIVERIES_PER_TRANSACTION = 2_000;

/** How long the fan-out recovery job waits before it finishes a fan-out its producer abandoned. */
export const FANOUT_RECOVERY_DELAY_MS = 30_000;

/**
 * Accepts events: per shard, a MULTI that appends each event's change to the change stream
 * (commands/publish-1.lua) and adds a job per delivery (BullMQ's own add script). When
 * {@link publish} resolves, everything is in Redis: that is what a 202 means.
 */
export class Publisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly queues: Queues,
    private readonly jobs: DeliveryJobAdds,
    private readonly log: LogStore,
  ) {}

  /** A transaction jobs can be added to (transactions.ts): the idempotency record's, say. */
  transaction(): Promise<ChainableCommander> {
    return this.jobs.multi();
  }

  /**
   * Gathers `event`'s change and its deliveries to `endpointIds` on `multi` and `records`; those
   * to ordered endpoints on `lined`, which is written first (lined-writes.ts).
   */
  private addDeliveries(
    multi: ChainableCommander,
    records: PublishRecords,
    lined: LinedWrites,
    event: PreparedEvent,
    endpointIds: readonly string[],
    now: number,
  ): void {
    const split = lined.split(event, endpointIds);
    for (const data of records.addIn(event, split.here, split.lined))
      this.jobs.add(multi, data, now);
  }

  /** Writes a transaction: the lines' writes it names first, then its own. */
  private async commit(
    multi: ChainableCommander,
    records: PublishRecords,
    lined: LinedWrites,
    now: number,
  ) {
    await lined.exec(now);
    records.queue(multi);
    await execAll(multi);
  }

  /**
   * Writes events and their deliveries. `finish` adds last writes (the idempotency record, in
   * the same shard) to the final transaction. Events of one shard that fit in one transaction
   * are atomic — the API's publishes are: their events share a slot (shards.ts); a fan-out
   * larger than {@link DELIVERIES_PER_TRANSACTION} is written in chunks, with a recovery job that
   * completes it if this process dies half-way.
   */
  async publish(
    events: readonly PreparedEvent[],
    finish?: (multi: ChainableCommander) => void,
    now = Date.now(),
  ): Promise<void> {
    const groups = [...groupByShard(this.keys, events, (e) => e.event.id).values()];
    for (const [i, group] of groups.entries())
      await this.publishInShard(group, i === groups.length - 1 ? finish : undefined, now);
  }

  private async publishInShard(
    events: readonly PreparedEvent[],
    finish: ((multi: ChainableCommander) => void) | undefined,
    now: number,
  ): Promise<void> {
    if (events.length === 1 && events[0]!.endpointIds.length > DELIVERIES_PER_TRANSACTION) {
      // One large fan-out: its first transaction holds the event, the recovery job that will
      // finish it whatever happens to this process, and so also the idempotency record.
      return this.publishLarge(events[0]!, now, finish);
    }
    let multi = await this.jobs.multi();
    let records = new PublishRecords(this.keys);
    const lined = new LinedWrites(this.keys, this.jobs);
    const flush = async () => {
      await this.commit(multi, records, lined, now);
      multi = await this.jobs.multi();
      records = new PublishRecords(this.keys);
    };
    for (const event of events) {
      const count = event.endpointIds.length;
      if (count > DELIVERIES_PER_TRANSACTION) {
        if (records.size > 0) await flush();
        await this.publishLarge(event, now);
        continue;
      }
      if (records.size + count > DELIVERIES_PER_TRANSACTION) await flush();
      this.addDeliveries(multi, records, lined, event, event.endpointIds, now);
    }
    finish?.(multi);
    await this.commit(multi, records, lined, now);
  }

  private async publishLarge(
    event: PreparedEvent,
    now: number,
    finish?: (multi: ChainableCommander) => void,
  ): Promise<void> {
    const ids = event.endpointIds;
    const jobId = fanoutJobId(event.event.id);
    const fanout = this.queues.of(event.event.id).fanout;
    let multi = await this.jobs.multi();
    finish?.(multi);
    void jobFor(
      fanout,
      'fanout',
      {
        event_id: event.event.id,
        endpoint_ids: [...ids],
        event: {
          name: event.event.name,
          tenant_id: event.tenantId,
          resource_id: event.event.resource?.id ?? null,
          resource_type: event.event.resource?.resource_type ?? null,
          test: event.test ?? false,
          body: event.body,
          traceparent: event.traceparent ?? null,
          ...(event.tracestate ? { tracestate: event.tracestate } : {}),
          ...(event.orderings?.size ? { orderings: Object.fromEntries(event.orderings) } : {}),
        },
      },
      { jobId, delay: FANOUT_RECOVERY_DELAY_MS },
    ).addJob(multi as never);
    const lined = new LinedWrites(this.keys, this.jobs);
    for (let start = 0; start < ids.length; start += DELIVERIES_PER_TRANSACTION) {
      const records = new PublishRecords(this.keys);
      const chunk = ids.slice(start, start + DELIVERIES_PER_TRANSACTION);
      this.addDeliveries(multi, records, lined, event, chunk, now);
      await this.commit(multi, records, lined, now);
      multi = await this.jobs.multi();
      // Yield between chunks: a 10,000-endpoint fan-out must not hold the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await fanout.remove(jobId);
  }

  /**
   * Creates the deliveries of a fan-out that do not exist yet (the recovery job's work). A
   * delivery exists while its job does, and once its job is gone, in the log (a job leaves only
   * after the log has it: log/job-sweeper.ts), so those two are asked in that order.
   */
  async completeFanout(event: PreparedEvent, now = Date.now()): Promise<number> {
    let created = 0;
    for (let start = 0; start < event.endpointIds.length; start += DELIVERIES_PER_TRANSACTION) {
      const chunk = event.endpointIds.slice(start, start + DELIVERIES_PER_TRANSACTION);
      const { here, lined } = splitDeliveries(event, chunk);
      const all = [...here, ...lined];
      // Lined deliveries live in their lines' shards: one read per shard.
      const exists = await readPerShard(
        this.redis,
        this.keys,
        all.map((d) => d.id),
        (pipeline, id) => pipeline.exists(this.keys.deliveryJob(id)),
      );
      const withoutJob = all.filter((_, i) => exists[i]![0] !== 1);
      if (withoutJob.length === 0) continue;
      const logged = new Set(
        (await this.log.getDeliveries(withoutJob.map((d) => d.id))).map((d) => d.id),
      );
      const missing = new Set(withoutJob.filter((d) => !logged.has(d.id)).map((d) => d.id));
      if (missing.size === 0) continue;
      const multi = await this.jobs.multi();
      const records = new PublishRecords(this.keys);
      const writes = new LinedWrites(this.keys, this.jobs);
      const linedMissing = lined.filter((d) => missing.has(d.id));
      writes.keep(event, linedMissing);
      const jobs = records.addIn(
        event,
        here.filter((d) => missing.has(d.id)),
        linedMissing,
      );
      for (const data of jobs) this.jobs.add(multi, data, now);
      await this.commit(multi, records, writes, now);
      created += missing.size;
    }
    return created;
  }
}
