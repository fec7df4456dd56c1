import type { ApiClient } from './api-client';
import { count, inParallel, type CaseContext } from './case';
import { cpuMs, type Child } from './child-process';
import { monotonicUs, nowMs } from './clock';
import type { ProfileWindow } from './cpu-profile';
import { batchBodies, eventJson, publishBatches } from './hookline-api';
import type { RedisServer } from './redis-server';
import { startRedisCount } from './redis-usage';
import type { PublishFigures } from './results';
import type { Sizes } from './sizes';
import { perSecond, summarize } from './stats';

/** Excluded warm-up before the timed parts, so the JIT's first seconds are not the figure. */
const WARMUP_BATCH = 100;
const WARMUP_SINGLES = 200;

/** CPU a process uses between `start()` and the call it returns, per `n`; null without /proc. */
function cpuPer(pid: number | undefined): (n: number) => number | null {
  const before = cpuMs(pid);
  return (n) => {
    const after = cpuMs(pid);
    return before === undefined || after === undefined
      ? null
      : Math.round(((after - before) / n) * 1000) / 1000;
  };
}

/**
 * One publishing service (Hookline's producer or the bare pipeline) under the same load: a
 * warm-up, then `publishBatches` batch bodies of `batchSize` events, `batchConcurrency` at a
 * time (events/s), then `singlePublishes` single events from `singleConcurrency` keep-alive
 * clients (requests/s and latency). Bodies are built before the clock starts; every event must
 * create one delivery. Redis and the service's CPU are counted per event for each part.
 */
export async function measurePublish(
  {
    api,
    service,
    redis,
    sizes,
  }: { api: ApiClient; service: Child; redis: RedisServer; sizes: Sizes },
  progress: CaseContext['progress'],
): Promise<{
  figures: PublishFigures;
  /** Every publish request made, the warm-up's included. */
  requests: number;
  windows: { batch: ProfileWindow; single: ProfileWindow };
}> {
  progress(0, 'warming up');
  await publishBatches(api, batchBodies('bench.warmup', 1, WARMUP_BATCH), 1);
  await inParallel(WARMUP_SINGLES, sizes.singleConcurrency, async (i) => {
    await api.expect(202, 'POST', '/v1/events', eventJson('bench.warmup', i));
  });

  const events = sizes.publishBatches * sizes.batchSize;
  const bodies = batchBodies('bench.batch', sizes.publishBatches, sizes.batchSize);
  let redisCount = await startRedisCount(redis);
  let cpu = cpuPer(service.pid);
  const batchFromUs = monotonicUs();
  const batchStarted = nowMs();
  const deliveries = await publishBatches(api, bodies, sizes.batchConcurrency, (done) =>
    progress(
      (0.5 * done) / sizes.publishBatches,
      `batches: ${count(done * sizes.batchSize)}/${count(events)} events`,
    ),
  );
  const batchMs = nowMs() - batchStarted;
  const batchToUs = monotonicUs();
  const batchCpu = cpu(events);
  const batchRedis = await redisCount(events);
  if (deliveries !== events)
    throw new Error(`${events} events in batches created ${deliveries} deliveries`);

  const total = sizes.singlePublishes;
  const singles = Array.from({ length: total }, (_, i) => eventJson('bench.single', i));
  const latencies = new Float64Array(total);
  let done = 0;
  const ticker = setInterval(
    () => progress(0.5 + (0.5 * done) / total, `single: ${count(done)}/${count(total)} requests`),
    100,
  );
  redisCount = await startRedisCount(redis);
  cpu = cpuPer(service.pid);
  const singleFromUs = monotonicUs();
  const singleStarted = nowMs();
  try {
    await inParallel(total, sizes.singleConcurrency, async (i) => {
      const started = performance.now();
      const answer = await api.expect<{ deliveries: number }>(
        202,
        'POST',
        '/v1/events',
        singles[i],
      );
      latencies[i] = performance.now() - started;
      if (answer.deliveries !== 1)
        throw new Error(`a single publish created ${answer.deliveries} deliveries, not 1`);
      done += 1;
    });
  } finally {
    clearInterval(ticker);
  }
  const singleMs = nowMs() - singleStarted;
  const singleToUs = monotonicUs();
  const singleCpu = cpu(total);
  const singleRedis = await redisCount(total);
  const figures: PublishFigures = {
    batch: {
      count: events,
      ms: batchMs,
      perSecond: perSecond(events, batchMs),
      batches: sizes.publishBatches,
      batchSize: sizes.batchSize,
      concurrency: sizes.batchConcurrency,
      redis: batchRedis,
      cpuMsPerEvent: batchCpu,
    },
    single: {
      count: total,
      ms: singleMs,
      perSecond: perSecond(total, singleMs),
      concurrency: sizes.singleConcurrency,
      latencyMs: summarize([...latencies]),
      redis: singleRedis,
      cpuMsPerEvent: singleCpu,
    },
  };
  return {
    figures,
    requests: 1 + WARMUP_SINGLES + sizes.publishBatches + total,
    windows: {
      batch: { fromUs: batchFromUs, toUs: batchToUs },
      single: { fromUs: singleFromUs, toUs: singleToUs },
    },
  };
}
