import { Attempt, DeliveryStatus, type Delivery, type PageRequest } from '@hookline/api';
import type { WebhookEvent } from '@hookline/webhooks';
import type { Queue } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import { groupByShard, readPerShard } from './by-shard';
import type { Queues } from './context';
import { deliveryIdFor, idFloor } from './ids';
import { PublishRecords } from './publish-records';
import type { Transactions } from './transactions';
import type { RedisKeys } from './keys';
import { newestAcross, pageOf, type PageResult } from './pagination';
import {
  fanoutJobId,
  jobFor,
  JOBS,
  operationalJobId,
  type DeliverJob,
  type OperationalJob,
} from './queues';
import { StandardJobAdds } from './standard-job-adds';
import { execAll } from './exec';
import { fromStatuses } from './lifecycle';

/**
 * Deliveries per Redis transaction. A publish whose deliveries fit is written in one MULTI:
 * all of it or nothing. Larger fan-outs are written in chunks behind a recovery job.
 */
export const DELIVERIES_PER_TRANSACTION = 2_000;

/** How long the fan-out recovery job waits before it finishes a fan-out its producer abandoned. */
export const FANOUT_RECOVERY_DELAY_MS = 30_000;

/** An event ready to be written: its body is the exact JSON receivers get. */
export interface PreparedEvent {
  event: WebhookEvent;
  body: string;
  /** The tenant it is for; null for an untenanted event. */
  tenantId: string | null;
  endpointIds: readonly string[];
  test?: boolean;
}

/** A delivery's state as the dispatcher needs it. */
export interface DeliveryState {
  id: string;
  eventId: string;
  endpointId: string;
  /** The tenant of its event and endpoint; null for none. */
  tenantId: string | null;
  status: DeliveryStatus;
  /** Attempts made so far, in all cycles: the next attempt's `Webhook-Attempt` is this + 1. */
  attempts: number;
  /** `attempts` when the current cycle (first publish, or the last replay) began. */
  cycle: number;
  nextAttemptAt: number | null;
  createdAt: number;
  /** When it last became delivered or dead (ms), if it did. */
  settledAt: number | null;
  test: boolean;
}

export interface TransitionOptions {
  attempt?: Attempt;
  nextAttemptAt?: number | null;
  /** Whether this attempt counts for the endpoint's health (disable after unbroken failure). */
  health?: 'success' | 'failure';
  now?: number;
  /**
   * Report the move to `dead` as a `hookline.delivery.dead` operational event: its job is added
   * in the same transaction, so a process killed at any instant has either not dead-lettered the
   * delivery or has also queued the report. Leave it off for what another report covers (an
   * endpoint disabled) and for an operational event's own delivery.
   */
  report?: boolean;
  /** Move only a delivery in one of these statuses (else the verdict is 'refused'). Default: any. */
  from?: readonly DeliveryStatus[];
  /**
   * Whether the delivery's endpoint still exists, when the caller knows (the dispatcher has just
   * read it); read from the catalog when left out. A deleted endpoint's sets are not written.
   */
  endpointExists?: boolean;
}

/** What a transition did: moved ('ok', or 'disable': moved, and the endpoint should be disabled), or not ('gone', 'refused'). */
export type TransitionVerdict = 'ok' | 'gone' | 'disable' | 'refused';

export interface DeliveryStoreOptions {
  /** `HOOKLINE_RETENTION`, ms. */
  retentionMs: number;
  /** `HOOKLINE_DISABLE_AFTER`, ms. */
  disableAfterMs: number;
}

/**
 * A delivery's attempts, oldest first: those its hash records (`att:<n>`, commands/transition-3.lua),
 * after those of the list where earlier versions kept them (keys.ts, `legacyAttempts`).
 */
function attemptsOf(hash: Record<string, string>, legacy: readonly string[] = []): Attempt[] {
  const recorded = Object.keys(hash)
    .filter((field) => field.startsWith('att:'))
    .map((field) => ({ n: Number(field.slice(4)), raw: hash[field]! }))
    .sort((a, b) => a.n - b.n)
    .map(({ raw }) => raw);
  return [...legacy, ...recorded].map((raw) => Attempt.parse(JSON.parse(raw)));
}

/** The fields of a delivery's hash its state is made of, as {@link DeliveryStore.getState} asks for them. */
const STATE_FIELDS = [
  'status',
  'event_id',
  'endpoint_id',
  'tenant_id',
  'attempts',
  'cycle',
  'next_attempt_at',
  'created_at',
  'settled_at',
  'test',
] as const;
type StateField = (typeof STATE_FIELDS)[number];

/** A delivery's state from its hash's fields (`field` reads one; undefined or null: absent). */
function toState(
  id: string,
  field: (name: StateField) => string | null | undefined,
): DeliveryState | undefined {
  const status = field('status');
  if (!status) return undefined;
  const tenantId = field('tenant_id');
  const nextAttemptAt = field('next_attempt_at');
  const settledAt = field('settled_at');
  return {
    id,
    eventId: field('event_id') ?? '',
    endpointId: field('endpoint_id') ?? '',
    tenantId: tenantId ? tenantId : null,
    status: status as DeliveryStatus,
    attempts: Number(field('attempts') ?? 0),
    cycle: Number(field('cycle') ?? 0),
    nextAttemptAt: nextAttemptAt ? Number(nextAttemptAt) : null,
    createdAt: Number(field('created_at') ?? 0),
    settledAt: settledAt ? Number(settledAt) : null,
    test: field('test') === '1',
  };
}

/** {@link toState} of an HMGET of {@link STATE_FIELDS}. */
function stateOf(id: string, values: readonly (string | null)[]): DeliveryState | undefined {
  return toState(id, (name) => values[STATE_FIELDS.indexOf(name)]);
}

/** Events, deliveries, their attempts and the dead letter, in Redis, with the jobs that drive them. */
export class DeliveryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly queues: Queues,
    private readonly options: DeliveryStoreOptions,
    private readonly transactions: Transactions,
  ) {}

  private readonly jobAdds = new Map<Queue, StandardJobAdds>();

  /**
   * A transaction that jobs can be added to with `Job.addJob(multi)` (transactions.ts). Its keys
   * must share one hash tag: the catalog's, or one shard's (keys.ts).
   */
  multi(): Promise<ChainableCommander> {
    return this.transactions.open();
  }

  /** The records of one transaction's events and deliveries: see publish-records.ts. */
  private records(now: number): PublishRecords {
    return new PublishRecords(this.keys, this.options.retentionMs, now);
  }

  /**
   * Gathers an event (unless `eventWritten`) and its deliveries to `endpointIds` into `records`,
   * and adds a job per delivery to `multi`. Job.addJob queues BullMQ's own add script on our
   * transaction: the job and the records it drives are committed together (BullMQ keeps this
   * public for exactly this use); `records.queue(multi)` then adds the records' one script call.
   */
  private addDeliveries(
    multi: ChainableCommander,
    records: PublishRecords,
    event: PreparedEvent,
    endpointIds: readonly string[],
    eventWritten = false,
  ): void {
    const ids = records.add(
      {
        id: event.event.id,
        name: event.event.name,
        body: event.body,
        tenantId: event.tenantId,
        test: event.test,
      },
      endpointIds,
      eventWritten,
    );
    const eventId = event.event.id;
    const now = Date.now();
    for (const [i, id] of ids.entries()) {
      const data: DeliverJob = { delivery_id: id, endpoint_id: endpointIds[i]!, event_id: eventId };
      this.deliverJobAdds(this.queues.of(id).deliveries).add(multi, id, data, now);
    }
  }

  /** The delivery-job adds of a shard's deliveries queue (standard-job-adds.ts). */
  private deliverJobAdds(queue: Queue): StandardJobAdds {
    let adds = this.jobAdds.get(queue);
    if (!adds) {
      adds = new StandardJobAdds(queue, 'deliver', JOBS.deliver.options);
      this.jobAdds.set(queue, adds);
    }
    return adds;
  }

  /**
   * Writes events and their deliveries, and enqueues a job per delivery. When this resolves,
   * everything is in Redis. `finish` adds last writes (the idempotency record, in the same shard)
   * to the final transaction. Events of one shard that fit in one transaction are atomic — the
   * API's publishes are: their events share a slot (shards.ts); a fan-out larger than
   * {@link DELIVERIES_PER_TRANSACTION} is written in chunks, with a recovery job that completes
   * it if this process dies half-way.
   */
  async publish(
    events: readonly PreparedEvent[],
    finish?: (multi: ChainableCommander) => void,
    now = Date.now(),
  ) {
    const groups = [...groupByShard(this.keys, events, (e) => e.event.id).values()];
    for (const [i, group] of groups.entries())
      await this.publishInShard(group, i === groups.length - 1 ? finish : undefined, now);
  }

  /** {@link publish} for events of one shard: one transaction when they fit in one. */
  private async publishInShard(
    events: readonly PreparedEvent[],
    finish: ((multi: ChainableCommander) => void) | undefined,
    now: number,
  ) {
    if (events.length === 1 && events[0]!.endpointIds.length > DELIVERIES_PER_TRANSACTION) {
      // One large fan-out: its first transaction holds the event, the recovery job that will
      // finish it whatever happens to this process, and so also the idempotency record.
      return this.publishLarge(events[0]!, now, finish);
    }
    let multi = await this.multi();
    let records = this.records(now);
    const flush = async () => {
      records.queue(multi);
      await execAll(multi);
      multi = await this.multi();
      records = this.records(now);
    };
    for (const event of events) {
      const count = event.endpointIds.length;
      if (count > DELIVERIES_PER_TRANSACTION) {
        if (records.size > 0) await flush();
        await this.publishLarge(event, now);
        continue;
      }
      if (records.size + count > DELIVERIES_PER_TRANSACTION) await flush();
      this.addDeliveries(multi, records, event, event.endpointIds);
    }
    finish?.(multi);
    records.queue(multi);
    await execAll(multi);
  }

  private async publishLarge(
    event: PreparedEvent,
    now: number,
    finish?: (multi: ChainableCommander) => void,
  ): Promise<void> {
    const ids = event.endpointIds;
    const jobId = fanoutJobId(event.event.id);
    const fanout = this.queues.of(event.event.id).fanout;
    let multi = await this.multi();
    finish?.(multi);
    void jobFor(
      fanout,
      'fanout',
      { event_id: event.event.id, endpoint_ids: [...ids] },
      {
        jobId,
        delay: FANOUT_RECOVERY_DELAY_MS,
      },
    ).addJob(multi as never);
    for (let start = 0; start < ids.length; start += DELIVERIES_PER_TRANSACTION) {
      const records = this.records(now);
      const chunk = ids.slice(start, start + DELIVERIES_PER_TRANSACTION);
      this.addDeliveries(multi, records, event, chunk, start > 0);
      records.queue(multi);
      await execAll(multi);
      multi = await this.multi();
      // Yield between chunks: a 10,000-endpoint fan-out must not hold the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await fanout.remove(jobId);
  }

  /**
   * Creates the deliveries of a fan-out that do not exist yet (the recovery job's work). Existing
   * ones are left alone: their ids are derived from the event and endpoint, so nothing doubles.
   */
  async completeFanout(
    eventId: string,
    endpointIds: readonly string[],
    now = Date.now(),
  ): Promise<number> {
    const [body, tenant] = await this.redis.hmget(this.keys.event(eventId), 'body', 'tenant_id');
    if (!body) return 0;
    // Only its deliveries are written: the event is there, so its type (for the indexes) is not needed.
    const event = {
      event: { id: eventId, name: '' } as WebhookEvent,
      body,
      tenantId: tenant ? tenant : null,
      endpointIds,
    };
    let created = 0;
    for (let start = 0; start < endpointIds.length; start += DELIVERIES_PER_TRANSACTION) {
      const chunk = endpointIds.slice(start, start + DELIVERIES_PER_TRANSACTION);
      const pipeline = this.redis.pipeline();
      for (const endpointId of chunk)
        pipeline.exists(this.keys.delivery(deliveryIdFor(eventId, endpointId)));
      const exists = await execAll(pipeline);
      const missing = chunk.filter((_, i) => exists[i] !== 1);
      if (missing.length === 0) continue;
      const multi = await this.multi();
      const records = this.records(now);
      this.addDeliveries(multi, records, event, missing, true);
      records.queue(multi);
      await execAll(multi);
      created += missing.length;
    }
    return created;
  }

  /** The event's body as stored (the exact bytes receivers get), or `undefined` if expired or unknown. */
  async eventBody(eventId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.event(eventId), 'body')) ?? undefined;
  }

  /**
   * A delivery's state and the event body it carries: two plain commands. A pipeline would save
   * Redis a read and a write (~3 µs of its CPU, measured), but each one is an object of a few KB
   * that lives until Redis answers: with one per delivery the dispatcher's peak RSS in the
   * bench's drain rose from ~163 MB to ~205 MB. The state's fields only (HMGET), not the whole
   * hash: a retried delivery's hash also holds its attempts, and reading and parsing every field
   * name showed in the drain's profile.
   */
  async loadForDelivery(deliveryId: string, eventId: string) {
    const [values, body] = await Promise.all([
      this.redis.hmget(this.keys.delivery(deliveryId), ...STATE_FIELDS),
      this.redis.hget(this.keys.event(eventId), 'body'),
    ]);
    return { delivery: stateOf(deliveryId, values), body: body ?? undefined };
  }

  async getState(deliveryId: string): Promise<DeliveryState | undefined> {
    return stateOf(
      deliveryId,
      await this.redis.hmget(this.keys.delivery(deliveryId), ...STATE_FIELDS),
    );
  }

  /** Deliveries as the API shows them, with all their attempts, in the order of `ids`. */
  async getDeliveries(ids: readonly string[]): Promise<Delivery[]> {
    if (ids.length === 0) return [];
    const rows = await readPerShard(this.redis, this.keys, ids, (pipeline, id) =>
      pipeline.hgetall(this.keys.delivery(id)).lrange(this.keys.legacyAttempts(id), 0, -1),
    );
    return ids.flatMap((id, i) => {
      const [hash, legacy] = rows[i]!;
      const fields = hash as Record<string, string>;
      const state = toState(id, (name) => fields[name]);
      if (!state) return [];
      const attempts = attemptsOf(fields, legacy as string[]);
      return [
        {
          id,
          event_id: state.test ? null : state.eventId,
          endpoint_id: state.endpointId,
          status: state.status,
          attempts,
          next_attempt_at:
            state.nextAttemptAt === null ? null : new Date(state.nextAttemptAt).toISOString(),
          created_at: new Date(state.createdAt).toISOString(),
        },
      ];
    });
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    return (await this.getDeliveries([id]))[0];
  }

  /** Newest first, from several id-ordered sets (one per shard, and per status) merged. */
  private async pageOfSets(sets: string[], page: PageRequest): Promise<PageResult<Delivery>> {
    const max = page.cursor ? `(${page.cursor}` : '+';
    const ids = await newestAcross(this.redis, sets, { max, min: '-', limit: page.limit });
    const { items, next_cursor } = pageOf(ids, page.limit);
    return { data: await this.getDeliveries(items), next_cursor };
  }

  /** An endpoint's sets of these statuses, in every shard. */
  private statusSets(endpointId: string, statuses: readonly DeliveryStatus[]): string[] {
    return this.keys.allShards.flatMap((shard) =>
      statuses.map((s) => this.keys.endpointDeliveries(shard, endpointId, s)),
    );
  }

  async listForEndpoint(endpointId: string, status: DeliveryStatus | undefined, page: PageRequest) {
    return this.pageOfSets(
      this.statusSets(endpointId, status ? [status] : DeliveryStatus.options),
      page,
    );
  }

  /** The dead-letter sets (one per shard) of one endpoint, else of one tenant, else of everything. */
  private deadLetterSets(endpointId: string | undefined, tenantId: string | undefined): string[] {
    if (endpointId !== undefined) return this.statusSets(endpointId, ['dead']);
    return this.keys.allShards.map((shard) =>
      tenantId !== undefined
        ? this.keys.tenantDeadLetter(shard, tenantId)
        : this.keys.deadLetter(shard),
    );
  }

  async listDeadLetter(
    filter: { endpointId?: string | undefined; tenantId?: string | undefined },
    page: PageRequest,
  ) {
    return this.pageOfSets(this.deadLetterSets(filter.endpointId, filter.tenantId), page);
  }

  /** The sum of a count over the shards' sets. */
  private async cardinality(sets: readonly string[]): Promise<number> {
    const counts = await Promise.all(sets.map((key) => this.redis.zcard(key)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** The tenant of a delivery (null: untenanted), or `undefined` if there is no such delivery. */
  async tenantOf(deliveryId: string): Promise<string | null | undefined> {
    const [status, tenant] = await this.redis.hmget(
      this.keys.delivery(deliveryId),
      'status',
      'tenant_id',
    );
    if (!status) return undefined;
    return tenant ? tenant : null;
  }

  /** A tenant's dead-letter size. */
  async tenantDeadLetterSize(tenantId: string): Promise<number> {
    return this.cardinality(this.deadLetterSets(undefined, tenantId));
  }

  /** How many of the endpoints' deliveries are still to be settled (pending or failed). */
  async unsettledCount(endpointIds: readonly string[]): Promise<number> {
    if (endpointIds.length === 0) return 0;
    const counts = await Promise.all(
      this.keys.allShards.map(async (shard) => {
        const pipeline = this.redis.pipeline();
        for (const id of endpointIds)
          pipeline
            .zcard(this.keys.endpointDeliveries(shard, id, 'pending'))
            .zcard(this.keys.endpointDeliveries(shard, id, 'failed'));
        return execAll(pipeline);
      }),
    );
    return counts.flat().reduce<number>((sum, count) => sum + Number(count ?? 0), 0);
  }

  async deadLetterSize(): Promise<number> {
    return this.cardinality(this.deadLetterSets(undefined, undefined));
  }

  /**
   * Moves a delivery to a new status, recording an attempt if one was made, in one script on its
   * shard; then counts the attempt for its endpoint's health in the catalog (`health`). Returns
   * 'gone' when the delivery no longer exists, 'refused' when its status is not in `from`,
   * 'disable' when the endpoint has now failed for longer than `HOOKLINE_DISABLE_AFTER`, else 'ok'.
   */
  async transition(
    delivery: Pick<DeliveryState, 'id' | 'endpointId' | 'tenantId'> & { cycle?: number },
    to: DeliveryStatus,
    options: TransitionOptions = {},
  ): Promise<TransitionVerdict> {
    const now = options.now ?? Date.now();
    const endpointExists =
      options.endpointExists ??
      (await this.redis.exists(this.keys.endpoint(delivery.endpointId))) === 1;
    const shard = this.keys.shardOf(delivery.id);
    const args = [
      this.keys.delivery(delivery.id),
      this.keys.deadLetter(shard),
      delivery.tenantId === null
        ? this.keys.deadLetter(shard)
        : this.keys.tenantDeadLetter(shard, delivery.tenantId),
      delivery.id,
      this.keys.endpointDeliveriesPrefix(shard, delivery.endpointId),
      to,
      options.attempt ? JSON.stringify(options.attempt) : '',
      options.nextAttemptAt ? String(options.nextAttemptAt) : '',
      now,
      this.options.retentionMs,
      endpointExists ? '1' : '',
      idFloor('whd', now - this.options.retentionMs),
      (options.from ?? []).join(','),
    ] as const;
    let verdict: string;
    if (options.report && to === 'dead') {
      const multi = await this.multi();
      multi.hlTransition(...args);
      const report: OperationalJob = {
        kind: 'delivery.dead',
        delivery_id: delivery.id,
        endpoint_id: delivery.endpointId,
      };
      void jobFor(this.queues.of(delivery.id).operational, 'operational', report, {
        jobId: operationalJobId(report, delivery.cycle),
      }).addJob(multi as never);
      verdict = (await execAll(multi))[0] as string;
    } else {
      verdict = await this.redis.hlTransition(...args);
    }
    if (verdict !== 'ok' || !options.health || !endpointExists) return verdict as TransitionVerdict;
    // Health is the endpoint's, shared by every shard, so it is counted where the endpoint lives.
    // A process killed between the two writes loses one attempt's count: the streak then starts
    // (or clears) at the next attempt, which moves a disable by one attempt at most.
    return this.redis.hlHealth(
      this.keys.endpointHealth(delivery.endpointId),
      options.health,
      now,
      this.options.disableAfterMs,
    );
  }

  /** A delivery's last attempt, if it made one. */
  async lastAttempt(deliveryId: string): Promise<Attempt | undefined> {
    return (await this.getDelivery(deliveryId))?.attempts.at(-1);
  }

  /** Whether an event is stored (a retried job checks before it publishes a second time). */
  async eventExists(eventId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.event(eventId))) === 1;
  }

  /**
   * Puts deliveries whose status is one of `allowed` back to pending with a fresh attempt budget
   * and (re)enqueues them to go now. Returns the ids requeued. `allowed` is the `from` of the
   * move asking (`fromStatuses('retry' | 'recover' | 'replay')`, lifecycle.ts).
   */
  async requeue(ids: readonly string[], allowed: readonly DeliveryStatus[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await readPerShard(this.redis, this.keys, ids, (pipeline, id) =>
      pipeline.hmget(this.keys.delivery(id), 'endpoint_id', 'event_id', 'status', 'tenant_id'),
    );
    const found = ids.flatMap((id, i) => {
      const [endpointId, eventId, status, tenant] = (rows[i]![0] ?? []) as (string | null)[];
      return endpointId && eventId && status && allowed.includes(status as DeliveryStatus)
        ? [{ id, endpointId, eventId, status, tenantId: tenant ? tenant : null }]
        : [];
    });
    if (found.length === 0) return [];
    // A delivery whose endpoint is gone is not requeued: nothing would take it.
    const endpointIds = [...new Set(found.map((d) => d.endpointId))];
    const endpoints = await this.redis.mget(...endpointIds.map((id) => this.keys.endpoint(id)));
    const live = new Set(endpointIds.filter((_, i) => endpoints[i] !== null));
    const candidates = found.filter((d) => live.has(d.endpointId));

    const requeued = new Set<string>();
    for (const [shard, inShard] of groupByShard(this.keys, candidates, (d) => d.id)) {
      for (let start = 0; start < inShard.length; start += DELIVERIES_PER_TRANSACTION) {
        const chunk = inShard.slice(start, start + DELIVERIES_PER_TRANSACTION);
        const multi = await this.multi();
        for (const d of chunk) {
          multi.hlRequeue(
            this.keys.delivery(d.id),
            this.keys.deadLetter(shard),
            d.tenantId === null
              ? this.keys.deadLetter(shard)
              : this.keys.tenantDeadLetter(shard, d.tenantId),
            d.id,
            this.keys.endpointDeliveriesPrefix(shard, d.endpointId),
            allowed.join(','),
            this.options.retentionMs,
          );
          void jobFor(
            this.queues.of(d.id).deliveries,
            'deliver',
            { delivery_id: d.id, endpoint_id: d.endpointId, event_id: d.eventId },
            { jobId: d.id },
          ).addJob(multi as never);
        }
        const results = await execAll(multi);
        chunk.forEach((d, i) => {
          if (results[2 * i] === 'ok') requeued.add(d.id);
        });
      }
    }
    // A delivery waiting for its next retry already has a delayed job (the add above was a
    // no-op for it): bring that job forward so it goes now.
    await Promise.all(
      candidates
        .filter((d) => d.status === 'failed' && requeued.has(d.id))
        .map((d) => this.promoteIfDelayed(d.id)),
    );
    return ids.filter((id) => requeued.has(id));
  }

  private async promoteIfDelayed(id: string): Promise<boolean> {
    const job = await this.queues.of(id).deliveries.getJob(id);
    if (!job || !(await job.isDelayed())) return false;
    // The job may start meanwhile; promoting it then fails harmlessly.
    return job.promote().then(
      () => true,
      () => false,
    );
  }

  /**
   * Brings forward the retries of an endpoint's failed deliveries (used when it is disabled, so
   * they reach the dead letter now rather than at their next scheduled attempt).
   */
  async promoteRetries(endpointId: string, max = 10_000): Promise<number> {
    const lists = await Promise.all(
      this.statusSets(endpointId, ['failed']).map((key) => this.redis.zrange(key, 0, max - 1)),
    );
    const ids = lists.flat().slice(0, max);
    let promoted = 0;
    for (const id of ids) if (await this.promoteIfDelayed(id)) promoted += 1;
    return promoted;
  }

  /**
   * Drops the still-waiting deliveries of a deleted endpoint: their jobs are removed and they are
   * marked dead (the documented state for "the endpoint is gone": docs/api.md, "Shapes"), so
   * their event does not list them pending for the whole retention. A job a dispatcher holds right now cannot be removed; that
   * dispatcher finds the endpoint gone and settles the delivery itself.
   */
  async dropWaiting(endpointId: string, ids: readonly string[], now = Date.now()): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const removed = await this.queues
          .of(id)
          .deliveries.remove(id)
          .then(
            (n) => n === 1,
            () => false,
          );
        // The endpoint is gone, so no dead letter is written: the tenant does not matter here.
        // BullMQ also answers 1 for a job that no longer exists (one that just completed and was
        // removed): only a delivery still waiting moves, never a delivered one.
        if (removed)
          await this.transition({ id, endpointId, tenantId: null }, 'dead', {
            now,
            from: fromStatuses('endpoint-deleted'),
            endpointExists: false,
          });
      }),
    );
  }

  /** Ids in an endpoint's sets of `statuses`, created at or after `since` (ms). */
  async idsSince(
    endpointId: string,
    statuses: readonly DeliveryStatus[],
    since: number,
  ): Promise<string[]> {
    const floor = `[${idFloor('whd', since)}`;
    const lists = await Promise.all(
      this.statusSets(endpointId, statuses).map((key) => this.redis.zrangebylex(key, floor, '+')),
    );
    return lists.flat().sort();
  }

  /** Every dead-lettered id, of one endpoint, of one tenant, or of all, oldest first. */
  async deadLetterIds(
    filter: { endpointId?: string | undefined; tenantId?: string | undefined } = {},
  ): Promise<string[]> {
    const lists = await Promise.all(
      this.deadLetterSets(filter.endpointId, filter.tenantId).map((key) =>
        this.redis.zrange(key, 0, -1),
      ),
    );
    return lists.flat().sort();
  }
}
