import type { ApiClient } from './api-client';
import { count, type CaseContext } from './case';
import { cpuMs, peakRssBytes, type Child } from './child-process';
import { monotonicUs, nowMs } from './clock';
import type { ProfileWindow } from './cpu-profile';
import { batchBodies, publishBatches } from './hookline-api';
import type { ReceiverClient } from './receiver-client';
import type { TagStats } from './receiver-protocol';
import type { RedisUsage } from './redis-usage';
import type { DrainFigures } from './results';
import { perSecond } from './stats';

/** The name of every event of a drain's backlog (a rabbitmq endpoint's routing key by default). */
export const DRAIN_EVENT_NAME = 'bench.drain';

/** A drain's backlog: `batches` × `batchSize` events. */
export interface Backlog {
  batches: number;
  batchSize: number;
  /** Each event's `resource.id`, by its sequence number (an ordered endpoint's lines); none by default. */
  resourceOf?: (seq: number) => string;
  /** The tenant every event is published for (`tenant_id`); none by default. */
  tenantId?: string;
  /**
   * Batches published at once, default 2. 1 publishes them one after the other, so that the
   * events are accepted in sequence order, which is the order of an ordered endpoint's lines.
   */
  concurrency?: number;
}

/** The `resource.type` of a backlog's events that carry a resource. */
export const DRAIN_RESOURCE_TYPE = 'bench';

/**
 * Publishes a drain's backlog through a service's batch API (`POST /v1/events/batch`), with
 * nothing delivering yet. Returns how long it took. Hookline's producer and the bare pipeline
 * take the same bodies, so both backlogs are alike.
 */
export async function publishBacklog(
  api: ApiClient,
  { batches, batchSize, resourceOf, tenantId, concurrency = 2 }: Backlog,
  progress: CaseContext['progress'],
): Promise<number> {
  const total = batches * batchSize;
  const bodies = batchBodies(DRAIN_EVENT_NAME, batches, batchSize, 0, (seq) => ({
    ...(tenantId ? { tenant_id: tenantId } : {}),
    ...(resourceOf
      ? { resource: { id: resourceOf(seq), resource_type: DRAIN_RESOURCE_TYPE } }
      : {}),
  }));
  const started = nowMs();
  const deliveries = await publishBatches(api, bodies, concurrency, (done) =>
    progress(0, `publishing ${count(done * batchSize)}/${count(total)} events`),
  );
  if (deliveries !== total)
    throw new Error(`publishing ${total} events created ${deliveries} deliveries`);
  return nowMs() - started;
}

export interface Deliverer {
  child: Child;
  /** When it was spawned (clock.ts `nowMs()`): the drain is timed from here. */
  spawnedAt: number;
}

/**
 * How the bench sees a drain's deliveries arrive: the receiver's count of a tag, or a broker
 * queue's depth (rabbitmq.ts). `firstAt` and `lastAt` are on clock.ts's `nowMs()`.
 */
export interface Arrivals {
  /** Resolves once `total` have arrived, calling `onProgress` at each look; fails after `timeoutMs`. */
  waitFor(
    total: number,
    options: { timeoutMs: number; onProgress?: (stats: TagStats) => void },
  ): Promise<TagStats>;
}

/** Deliveries to the receiver's counted path of `tag`, each stamped by the receiver. */
export function atReceiver(receiver: ReceiverClient, tag: string): Arrivals {
  return {
    waitFor: (total, options) => receiver.waitForCount(tag, total, { ...options, intervalMs: 100 }),
  };
}

/** CPU ms per delivery between two readings of a process's CPU time, to the µs; null if unknown. */
function cpuPerDelivery(
  fromMs: number | undefined,
  toMs: number | undefined,
  deliveries: number,
): number | null {
  if (fromMs === undefined || toMs === undefined || deliveries <= 0) return null;
  return Math.round(((toMs - fromMs) / deliveries) * 1000) / 1000;
}

/**
 * Times a deliverer, just spawned, draining `total` deliveries: from its spawn until `arrivals`
 * has every one, and from the first to the last. Its CPU is counted from the first delivery on
 * (the steady state, without the process start), and so is a broker's (`brokerPid`) when the
 * deliveries go through one; Redis from `redisCount`, started just before the spawn. The peak RSS
 * figures are read at the end.
 */
export async function timeDrain(
  { progress }: Pick<CaseContext, 'progress'>,
  {
    arrivals,
    total,
    deliverer,
    publisher,
    redisCount,
    brokerPid,
  }: {
    arrivals: Arrivals;
    total: number;
    deliverer: Deliverer;
    /** The service that published the backlog, still running; none when the deliverer makes its own. */
    publisher?: Child;
    redisCount: (deliveries: number) => Promise<RedisUsage>;
    brokerPid?: number | undefined;
  },
): Promise<{
  figures: Omit<DrainFigures, 'publishMs'>;
  /** The broker's CPU per delivery over the same window as the deliverer's; null without one. */
  brokerCpuMsPerDelivery: number | null;
  /** First delivery → last: the part of a CPU profile worth reading. */
  steady: ProfileWindow;
}> {
  const pid = deliverer.child.pid;
  let steady:
    | { cpuMs: number | undefined; brokerCpuMs: number | undefined; count: number; fromUs: number }
    | undefined;
  const stats = await arrivals.waitFor(total, {
    timeoutMs: 240_000,
    onProgress: (s) => {
      if (!deliverer.child.running)
        throw new Error(`${deliverer.child.name} exited:\n${deliverer.child.output()}`);
      if (s.count > 0 && !steady)
        steady = {
          cpuMs: cpuMs(pid),
          brokerCpuMs: cpuMs(brokerPid),
          count: s.count,
          fromUs: monotonicUs(),
        };
      progress(s.count / total, `${count(s.count)}/${count(total)} delivered`);
    },
  });
  const endCpuMs = cpuMs(pid);
  const endBrokerCpuMs = cpuMs(brokerPid);
  const toUs = monotonicUs();
  const redis = await redisCount(total);
  const ms = stats.lastAt! - deliverer.spawnedAt;
  const firstToLastMs = stats.lastAt! - stats.firstAt!;
  const figures = {
    count: total,
    ms,
    perSecond: perSecond(total, ms),
    firstToLast: {
      count: total - 1,
      ms: firstToLastMs,
      perSecond: perSecond(total - 1, firstToLastMs),
    },
    startupMs: Math.round(stats.firstAt! - deliverer.spawnedAt),
    duplicates: stats.duplicates,
    redis,
    cpuMsPerDelivery: cpuPerDelivery(steady?.cpuMs, endCpuMs, total - (steady?.count ?? total)),
    peakRssBytes: peakRssBytes(pid) ?? null,
    publisherPeakRssBytes: peakRssBytes(publisher?.pid) ?? null,
  };
  return {
    figures,
    brokerCpuMsPerDelivery: cpuPerDelivery(
      steady?.brokerCpuMs,
      endBrokerCpuMs,
      total - (steady?.count ?? total),
    ),
    steady: { fromUs: steady?.fromUs ?? toUs, toUs },
  };
}
