import {
  traceIdOf,
  type Delivery,
  type DeliveryStatus,
  type EventWithDeliveries,
} from '@hookline/api';
import type { WebhookEvent } from '@hookline/webhooks';
import type { Redis } from 'ioredis';
import type { EndpointStore } from './catalog/endpoint-store';
import type { RedisKeys } from './redis/keys';
import type { InFlight, InFlightStore } from './in-flight/in-flight-store';
import type { DeliveryJobAdds } from './in-flight/delivery-job-adds';
import { requeueInShards, type RequeueCandidate, type Requeued } from './in-flight/requeue';
import { lineOfDelivery } from './ordering/lines';
import { UNSETTLED } from './lifecycle';
import type { DeliverySearch, LogStore, ReplayCandidate } from './log/log-store';

type DeliverySearchFilter = Omit<DeliverySearch, 'limit' | 'cursor'>;
import type { EventAccepted } from './log/changes';
import { deliveryChangeFields, parseEntry } from './log/stream-entries';
import { changeHead } from './in-flight/job-record';
import { groupByShard } from './redis/by-shard';
import { execAll } from './redis/exec';
import type { DeliverJob } from './queues';

/**
 * How often, and how far apart, a requeue asks again for a delivery whose dispatcher is finishing
 * its job (requeue-4.lua's 'finishing'): up to 2 s, far longer than the moment it takes.
 */
const FINISHING_TRIES = 40;
const FINISHING_WAIT_MS = 50;

/** Dead-lettered deliveries of a deleted endpoint taken out per round. */
const DROP_PAGE = 500;

/** The job data a logged delivery is enqueued with again. */
function dataOf(row: ReplayCandidate): DeliverJob {
  return {
    delivery_id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    tenant_id: row.tenant_id,
    name: row.event_name,
    resource_id: row.resource_id,
    test: row.test,
    attempts: row.attempts,
    body: row.body,
    traceparent: row.traceparent,
  };
}

/** A delivery in flight as the API shows it: its status from its job, its attempts from both. */
function inFlightView(d: InFlight, logged: Delivery | undefined): Delivery {
  // The log's (a replayed delivery's earlier cycles too), then the job's that it has not written yet.
  const attempts = [...(logged?.attempts ?? [])];
  const known = new Set(attempts.map((a) => a.number));
  for (const attempt of d.recorded) if (!known.has(attempt.number)) attempts.push(attempt);
  attempts.sort((a, b) => a.number - b.number);
  return {
    id: d.id,
    event_id: d.test ? null : d.eventId,
    trace_id: traceIdOf(d.data.traceparent),
    endpoint_id: d.endpointId,
    status: d.status,
    attempts,
    next_attempt_at: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(),
    created_at: new Date(d.createdAt).toISOString(),
  };
}

/**
 * Deliveries and events as the API reads them by id, and requeued: a delivery in flight is read
 * from its job, one that settled from the log — a job leaves only once the log holds it
 * (log/job-sweeper.ts), and an event stays marked in Redis until its change is logged, so a 202'd
 * event and its deliveries are readable at every instant. Lists, counts and search are the log's
 * alone (log/log-store.ts).
 */
export class Deliveries {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly inFlight: InFlightStore,
    private readonly log: LogStore,
    private readonly jobs: DeliveryJobAdds,
    private readonly endpoints: Pick<EndpointStore, 'getMany'>,
  ) {}

  /** Deliveries with their attempts, in the order of `ids`; unknown ones left out. */
  async getDeliveries(ids: readonly string[]): Promise<Delivery[]> {
    if (ids.length === 0) return [];
    const [moving, logged] = await Promise.all([
      this.inFlight.getMany(ids),
      this.log.getDeliveries(ids),
    ]);
    const byId = new Map(logged.map((d) => [d.id, d]));
    return ids.flatMap((id, i) => {
      const job = moving[i];
      const row = byId.get(id);
      if (job) return [inFlightView(job, row)];
      return row ? [row] : [];
    });
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    return (await this.getDeliveries([id]))[0];
  }

  /** The tenant of a delivery (null: untenanted), or undefined if there is no such delivery. */
  async tenantOf(id: string): Promise<string | null | undefined> {
    const job = await this.inFlight.get(id);
    return job ? job.tenantId : this.log.tenantOfDelivery(id);
  }

  /**
   * An event with its deliveries' states: what the log has of it, and what its changes not yet
   * logged add (a large fan-out's chunks are a change each), each delivery's state from its job
   * while it has one. Undefined for an event neither knows.
   */
  async getEvent(id: string): Promise<EventWithDeliveries | undefined> {
    const [fromLog, pending] = await Promise.all([this.log.getEvent(id), this.unloggedChanges(id)]);
    const first = pending[0];
    if (!fromLog && !first) {
      // Logged between the two reads (its marks go once the log has each change), or unknown.
      const late = await this.log.getEvent(id);
      return late && this.withStates(late, []);
    }
    const base: EventWithDeliveries = fromLog ?? {
      ...(JSON.parse(first!.body) as WebhookEvent),
      tenant_id: first!.tenant_id,
      trace_id: traceIdOf(first!.traceparent),
      deliveries: [],
    };
    return this.withStates(
      base,
      pending.flatMap((c) => [...c.deliveries, ...c.lined]),
    );
  }

  /** An event's changes still on its shard's stream, found by the marks the publish left. */
  private async unloggedChanges(eventId: string): Promise<EventAccepted[]> {
    const versions = await this.redis.hkeys(this.keys.unloggedEvent(eventId));
    if (versions.length === 0) return [];
    const stream = this.keys.changesOf(eventId);
    const entries = await Promise.all(versions.map((v) => this.redis.xrange(stream, v, v)));
    return entries.flat().flatMap((entry) => {
      const change = parseEntry(entry);
      return change instanceof Error || change.kind !== 'event' ? [] : [change];
    });
  }

  /**
   * A logged event with the deliveries its unlogged changes add, each as its job says while it
   * has one (the job's count is never behind), else as the log does.
   */
  private async withStates(
    event: EventWithDeliveries,
    added: readonly { id: string; endpoint_id: string }[],
  ): Promise<EventWithDeliveries> {
    // A lined delivery is named twice when its line shares the event's shard: by the event's
    // change and by its line's (lined-writes.ts).
    const known = new Set(event.deliveries.map((d) => d.id));
    const extra = added.filter((d) => {
      if (known.has(d.id)) return false;
      known.add(d.id);
      return true;
    });
    const ids = [...event.deliveries.map((d) => d.id), ...extra.map((d) => d.id)];
    const [moving, logged] = await Promise.all([
      this.inFlight.getMany(ids),
      extra.length > 0 ? this.log.getDeliveries(extra.map((d) => d.id)) : [],
    ]);
    const rows = new Map(logged.map((d) => [d.id, d]));
    const deliveries = [
      ...event.deliveries,
      ...extra.map((d) => {
        const row = rows.get(d.id);
        return {
          id: d.id,
          endpoint_id: d.endpoint_id,
          status: row?.status ?? ('pending' as const),
          attempts: row?.attempts.length ?? 0,
        };
      }),
    ];
    return {
      ...event,
      deliveries: deliveries.map((d, i) => {
        const job = moving[i];
        return job ? { ...d, status: job.status, attempts: job.attempts } : d;
      }),
    };
  }

  /** Ids of the log's deliveries that `search` finds, oldest pages last, at most `max`. */
  private async idsFromLog(search: DeliverySearchFilter, max: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.log.listDeliveries({ ...search, limit: 250, cursor });
      ids.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && ids.length < max);
    return ids.slice(0, max);
  }

  /**
   * Brings forward the retries of an endpoint's failed deliveries (when it is disabled, so that
   * they reach the dead letter now rather than at their next scheduled attempt).
   */
  async promoteRetries(endpointId: string, max = 10_000): Promise<number> {
    const ids = await this.idsFromLog({ endpoint_id: endpointId, status: 'failed' }, max);
    let promoted = 0;
    for (const id of ids) if (await this.inFlight.promote(id)) promoted += 1;
    return promoted;
  }

  /**
   * Drops the deliveries of a deleted endpoint that are still waiting (in-flight-store.ts
   * `dropWaiting`). Those the log has not heard of yet are dropped by the dispatcher that takes
   * them, which finds their endpoint gone.
   */
  async dropWaitingOf(endpointId: string, now = Date.now(), max = 100_000): Promise<number> {
    const ids = await this.idsFromLog({ endpoint_id: endpointId, status: UNSETTLED }, max);
    return this.inFlight.dropWaiting(ids, now);
  }

  /**
   * Takes a deleted endpoint's deliveries out of the dead letter: nothing could replay them. Each
   * leaves by a change on its shard's stream (dead, out of the dead letter), newer than the one
   * that put it there, so the log applies the two in their order whenever it writes them. Returns
   * how many left.
   */
  async dropDeadLetterOf(endpointId: string, now = Date.now()): Promise<number> {
    let dropped = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.log.deadLetterForReplay(
        { endpoint_id: endpointId, after },
        DROP_PAGE,
      );
      if (page.length === 0) return dropped;
      after = page.at(-1)!.id;
      await Promise.all(
        [...groupByShard(this.keys, page, (d) => d.id).values()].map((inShard) => {
          const pipeline = this.redis.pipeline();
          for (const d of inShard) {
            const head = changeHead({ ...dataOf(d), attempts: d.attempts });
            pipeline.xadd(
              this.keys.changesOf(d.id),
              '*',
              ...deliveryChangeFields({
                head,
                status: 'dead',
                attempts: d.attempts,
                at: now,
                deadLetter: false,
              }),
            );
          }
          return execAll(pipeline);
        }),
      );
      dropped += page.length;
      if (page.length < DROP_PAGE) return dropped;
    }
  }

  /** Ids of an endpoint's deliveries in `statuses`, created at or after `since` (ms). */
  idsSince(
    endpointId: string,
    statuses: readonly DeliveryStatus[],
    since: number,
    max = 100_000,
  ): Promise<string[]> {
    return this.idsFromLog({ endpoint_id: endpointId, status: statuses, since }, max);
  }

  /** Whether an event is known: not yet logged, or in the log. */
  async eventExists(id: string): Promise<boolean> {
    if ((await this.redis.exists(this.keys.unloggedEvent(id))) === 1) return true;
    return (await this.log.getEvent(id)) !== undefined;
  }

  /**
   * Puts deliveries whose status is one of `allowed` back to pending with a fresh attempt budget,
   * to go now. Returns the ids requeued, in the order of `ids`. `allowed` is the `from` of the
   * move asking (`fromStatuses('retry' | 'recover' | 'replay')`, lifecycle.ts). A delivery
   * whose endpoint is gone is not requeued: nothing would take it.
   */
  async requeue(
    ids: readonly string[],
    allowed: readonly DeliveryStatus[],
    now = Date.now(),
  ): Promise<string[]> {
    const done = new Set<string>();
    let asking = ids;
    for (let tries = 0; asking.length > 0; tries++) {
      const requeued = await this.requeueOnce(asking, allowed, now);
      for (const [id, how] of requeued) if (how !== 'finishing') done.add(id);
      // A delivery that settled a moment ago and whose job is not finished yet: asked again
      // once its dispatcher has finished it (milliseconds; a dispatcher that died there leaves
      // it to the stall check, beyond this wait: then it is not requeued).
      asking = asking.filter((id) => requeued.get(id) === 'finishing');
      if (asking.length === 0 || tries >= FINISHING_TRIES) break;
      await new Promise((resolve) => setTimeout(resolve, FINISHING_WAIT_MS));
    }
    return ids.filter((id) => done.has(id));
  }

  private async requeueOnce(
    ids: readonly string[],
    allowed: readonly DeliveryStatus[],
    now: number,
  ): Promise<Map<string, Requeued>> {
    if (ids.length === 0) return new Map();
    const moving = await this.inFlight.getMany(ids);
    const notMoving = ids.filter((_, i) => !moving[i]);
    const logged = new Map((await this.log.requeueCandidates(notMoving)).map((r) => [r.id, r]));
    const candidates: RequeueCandidate[] = ids.flatMap((id, i): RequeueCandidate[] => {
      const job = moving[i];
      if (job) {
        if (!allowed.includes(job.status)) return [];
        // Should the job be forgotten before the script runs (its settling logged), the log
        // holds this status: the script then requeues from it instead of finding nothing.
        return [{ data: { ...job.data, attempts: job.attempts }, loggedStatus: job.status }];
      }
      const row = logged.get(id);
      if (!row || !allowed.includes(row.status)) return [];
      return [{ data: dataOf(row), loggedStatus: row.status }];
    });
    const endpointIds = [...new Set(candidates.map((c) => c.data.endpoint_id))];
    const endpoints = await this.endpoints.getMany(endpointIds);
    const byId = new Map(endpointIds.map((id, i) => [id, endpoints[i]]));
    const chosen = candidates.filter((c) => byId.get(c.data.endpoint_id) !== undefined);
    const requeued = await requeueInShards(this.keys, this.jobs, chosen, allowed, now, (data) =>
      lineOfDelivery(this.keys, data, byId.get(data.endpoint_id)?.ordering ?? null),
    );
    // A delivery waiting for its next retry keeps its delayed job: bring it forward.
    await Promise.all(
      [...requeued].filter(([, how]) => how === 'moving').map(([id]) => this.inFlight.promote(id)),
    );
    return requeued;
  }
}
