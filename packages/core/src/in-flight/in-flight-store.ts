import { Attempt, OrderingKey, type DeadLine, type DeliveryStatus } from '@hookline/api';
import { parseLineName } from '../ordering/lines';
import type { Redis } from 'ioredis';
import { readPerShard } from '../redis/by-shard';
import type { Queues } from '../queues';
import { execAll } from '../redis/exec';
import type { RedisKeys } from '../redis/keys';
import { DeliverJob, jobFor, operationalJobId, type OperationalJob } from '../queues';
import type { DeliveryJobAdds } from './delivery-job-adds';
import {
  attemptField,
  attemptsOf,
  deliveryState,
  JOB_STATE_READ,
  readJobState,
  type DeliveryState,
} from './job-record';
import { recordArgs, type RecordMove } from './record';
import { fromStatuses } from '../lifecycle';
import { healthArgs } from '../catalog/health-args';

/** Deliveries dropped at once when their endpoint is deleted. */
const DROP_CONCURRENCY = 50;

/** What a record did: moved ('ok', or 'disable': moved, and the endpoint should be disabled), or not ('gone', 'refused'). */
export type RecordVerdict = 'ok' | 'gone' | 'disable' | 'refused';

export interface RecordOptions {
  /** Whether this attempt counts for the endpoint's health (disable after unbroken failure). */
  health?: 'success' | 'failure' | undefined;
  /** The attempt the report names as the last, when the move records none (read otherwise). */
  lastAttempt?: Attempt | undefined;
  /**
   * Report the move to `dead` as a `hookline.delivery.dead` operational event: its job is added
   * in the same transaction, so a process killed at any instant has either not dead-lettered the
   * delivery or has also queued the report. Leave it off for what another report covers (an
   * endpoint disabled) and for an operational event's own delivery.
   */
  report?: boolean | undefined;
}

/** A delivery in flight and what it is read with: its job's data, and Hookline's fields of it. */
export interface InFlight extends DeliveryState {
  /** Whether BullMQ has finished its job (it waits there for the log, then goes). */
  finished: boolean;
  /** Its attempts so far, oldest first (those of earlier jobs, before a replay, are the log's). */
  recorded: Attempt[];
}

/**
 * Deliveries while they move: each is its BullMQ job (job-record.ts). Reads their state, moves
 * them (commands/record-2.lua), and brings a waiting one forward.
 */
export class InFlightStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly queues: Queues,
    private readonly jobs: DeliveryJobAdds,
    private readonly options: { disableAfterMs: number },
  ) {}

  /** The state of deliveries in flight, in the order of `ids`; undefined for one with no job. */
  async getMany(ids: readonly string[]): Promise<(InFlight | undefined)[]> {
    if (ids.length === 0) return [];
    const rows = await readPerShard(this.redis, this.keys, ids, (pipeline, id) =>
      pipeline.hgetall(this.keys.deliveryJob(id)),
    );
    return rows.map(([value]) => {
      const hash = value as Record<string, string>;
      if (!hash.data) return undefined;
      const data = DeliverJob.safeParse(JSON.parse(hash.data));
      if (!data.success) return undefined;
      const state = readJobState(
        data.data,
        JOB_STATE_READ.map((field) => hash[field] ?? null),
      );
      return {
        ...deliveryState(data.data, state),
        finished: Boolean(hash.finishedOn),
        recorded: attemptsOf(hash),
      };
    });
  }

  async get(id: string): Promise<InFlight | undefined> {
    return (await this.getMany([id]))[0];
  }

  /** The state fields of a job whose data the caller has (an attempt taken again). */
  async stateOf(data: DeliverJob): Promise<DeliveryState | undefined> {
    const values = await this.redis.hmget(
      this.keys.deliveryJob(data.delivery_id),
      'data',
      ...JOB_STATE_READ,
    );
    if (values[0] === null) return undefined;
    return deliveryState(data, readJobState(data, values.slice(1)));
  }

  /**
   * Moves a delivery in flight, recording the attempt that moved it, and appends the change
   * (commands/record-2.lua); then counts the attempt for its endpoint's health in the catalog.
   * Returns 'gone' when it has no job, 'refused' when its status is not in `move.from`, 'disable'
   * when the endpoint has now failed for longer than `HOOKLINE_DISABLE_AFTER`, else 'ok'.
   */
  async record(
    delivery: DeliveryState,
    move: RecordMove,
    options: RecordOptions = {},
  ): Promise<RecordVerdict> {
    const args = recordArgs(this.keys, delivery.data, move);
    let verdict: 'ok' | 'gone' | 'refused';
    if (options.report && move.to === 'dead') {
      const multi = await this.jobs.multi();
      multi.hlRecord(...args);
      const last = move.attempt ?? options.lastAttempt ?? (await this.lastAttempt(delivery));
      const line = await this.lineOf(delivery.id);
      const report: OperationalJob = {
        kind: 'delivery.dead',
        delivery_id: delivery.id,
        endpoint_id: delivery.endpointId,
        event_id: delivery.test ? null : delivery.eventId,
        tenant_id: delivery.tenantId,
        attempts: delivery.attempts + (move.attempt ? 1 : 0),
        last_status_code: last?.status_code ?? null,
        last_error: last?.error ?? null,
        ...(line ? { line } : {}),
        at: move.now,
      };
      void jobFor(this.queues.of(delivery.id).operational, 'operational', report, {
        jobId: operationalJobId(report),
      }).addJob(multi as never);
      verdict = (await execAll(multi))[0] as typeof verdict;
    } else {
      verdict = await this.redis.hlRecord(...args);
    }
    if (verdict !== 'ok' || !options.health) return verdict;
    // Health is the endpoint's, shared by every shard, so it is counted where the endpoint lives.
    // A process killed between the two writes loses one attempt's count: the streak then starts
    // (or clears) at the next attempt, which moves a disable by one attempt at most.
    return this.redis.hlHealth(
      ...healthArgs(
        this.keys,
        delivery.endpointId,
        options.health,
        move.now,
        this.options.disableAfterMs,
      ),
    );
  }

  /** The line a delivery in flight is lined up in and its place there, if it is (commands/line-up-5.lua). */
  private async lineOf(id: string): Promise<DeadLine | undefined> {
    const [name, sequence] = await this.redis.hmget(this.keys.deliveryJob(id), 'hll', 'hlq');
    if (!name || !sequence) return undefined;
    const { key, value } = parseLineName(name);
    const parsed = OrderingKey.safeParse(key);
    return parsed.success ? { key: parsed.data, value, sequence: Number(sequence) } : undefined;
  }

  /**
   * A lined-up delivery's place in its line (commands/line-up-5.lua), which its requests carry as
   * `webhook-sequence`; undefined for one never lined up.
   */
  async sequenceOf(id: string): Promise<number | undefined> {
    const sequence = await this.redis.hget(this.keys.deliveryJob(id), 'hlq');
    return sequence === null ? undefined : Number(sequence);
  }

  /** The last attempt a delivery in flight made, if its job holds one. */
  private async lastAttempt(delivery: DeliveryState): Promise<Attempt | undefined> {
    if (delivery.attempts === 0) return undefined;
    const raw = await this.redis.hget(
      this.keys.deliveryJob(delivery.id),
      attemptField(delivery.attempts),
    );
    return raw ? Attempt.parse(JSON.parse(raw)) : undefined;
  }

  /** Brings a delayed job forward, so that it goes now. False when it was not delayed. */
  async promote(id: string): Promise<boolean> {
    const job = await this.queues.of(id).deliveries.getJob(id);
    if (!job || !(await job.isDelayed())) return false;
    // The job may start meanwhile; promoting it then fails harmlessly.
    return job.promote().then(
      () => true,
      () => false,
    );
  }

  /**
   * Settles the still-waiting deliveries of a deleted endpoint: dead, outside the dead letter
   * (docs/api.md, "Shapes"), recorded in their jobs, which are then brought forward so that they
   * finish now (a dispatcher takes one, finds it settled, and lets it go) rather than at a retry
   * hours away. A delivery a dispatcher is attempting right now is settled by whichever records
   * first: the other's move is refused.
   */
  async dropWaiting(ids: readonly string[], now = Date.now()): Promise<number> {
    let dropped = 0;
    // A few at a time: each is a record and a promotion (some round trips), and a tenant's delete
    // drops thousands.
    for (let start = 0; start < ids.length; start += DROP_CONCURRENCY) {
      const moving = await this.getMany(ids.slice(start, start + DROP_CONCURRENCY));
      const verdicts = await Promise.all(
        moving.map(async (delivery) => {
          if (!delivery || delivery.finished) return false;
          const verdict = await this.record(delivery, {
            to: 'dead',
            now,
            from: fromStatuses('endpoint-deleted'),
          });
          if (verdict !== 'ok') return false;
          await this.promote(delivery.id);
          return true;
        }),
      );
      dropped += verdicts.filter(Boolean).length;
    }
    return dropped;
  }

  /** Deliveries' statuses right now: a job's while it has one, else undefined. */
  async statuses(ids: readonly string[]): Promise<(DeliveryStatus | undefined)[]> {
    return (await this.getMany(ids)).map((d) => d?.status);
  }
}
