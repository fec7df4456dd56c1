import type { ApiClient } from './api-client';
import { count, type CaseContext } from './case';
import { cpuMs, peakRssBytes, type Child } from './child-process';
import { monotonicUs, nowMs } from './clock';
import type { ProfileWindow } from './cpu-profile';
import { batchBodies, publishBatches } from './hookline-api';
import type { RedisUsage } from './redis-usage';
import type { DrainFigures } from './results';
import { perSecond } from './stats';

/**
 * Publishes a drain's backlog, `batches` × `batchSize` events, through a service's batch API
 * (`POST /v1/events/batch`, 2 at a time), with nothing delivering yet. Returns how long it took.
 * Hookline's producer and the bare pipeline take the same bodies, so both backlogs are alike.
 */
export async function publishBacklog(
  api: ApiClient,
  { batches, batchSize }: { batches: number; batchSize: number },
  progress: CaseContext['progress'],
): Promise<number> {
  const total = batches * batchSize;
  const bodies = batchBodies('bench.drain', batches, batchSize);
  const started = nowMs();
  const deliveries = await publishBatches(api, bodies, 2, (done) =>
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
 * Times a deliverer, just spawned, draining `total` deliveries to the receiver's `tag`: from its
 * spawn until the receiver has every one, and from the first to the last. Its CPU is counted
 * from the first delivery on (the steady state, without the process start); Redis from
 * `redisCount`, started just before the spawn. Both peak RSS figures are read at the end.
 */
export async function timeDrain(
  { receiver, progress }: Pick<CaseContext, 'receiver' | 'progress'>,
  {
    tag,
    total,
    deliverer,
    publisher,
    redisCount,
  }: {
    tag: string;
    total: number;
    deliverer: Deliverer;
    /** The service that published the backlog, still running. */
    publisher: Child;
    redisCount: (deliveries: number) => Promise<RedisUsage>;
  },
): Promise<{
  figures: Omit<DrainFigures, 'publishMs'>;
  /** First delivery → last: the part of a CPU profile worth reading. */
  steady: ProfileWindow;
}> {
  const pid = deliverer.child.pid;
  let steady: { cpuMs: number | undefined; count: number; fromUs: number } | undefined;
  const stats = await receiver.waitForCount(tag, total, {
    timeoutMs: 240_000,
    intervalMs: 100,
    onProgress: (s) => {
      if (!deliverer.child.running)
        throw new Error(`${deliverer.child.name} exited:\n${deliverer.child.output()}`);
      if (s.count > 0 && !steady)
        steady = { cpuMs: cpuMs(pid), count: s.count, fromUs: monotonicUs() };
      progress(s.count / total, `${count(s.count)}/${count(total)} delivered`);
    },
  });
  const endCpuMs = cpuMs(pid);
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
    cpuMsPerDelivery:
      endCpuMs === undefined || steady?.cpuMs === undefined || total === steady.count
        ? null
        : Math.round(((endCpuMs - steady.cpuMs) / (total - steady.count)) * 1000) / 1000,
    peakRssBytes: peakRssBytes(pid) ?? null,
    publisherPeakRssBytes: peakRssBytes(publisher.pid) ?? null,
  };
  return { figures, steady: { fromUs: steady?.fromUs ?? toUs, toUs } };
}
