import path from 'node:path';
import { getText, metricSum, metricValue, type ApiClient } from '../api-client';
import type { BenchCase, CaseContext } from '../case';
import { newestProfile, readProfile, type ProfileRef } from '../cpu-profile';
import { atReceiver, publishBacklog, timeDrain, type Arrivals, type Backlog } from '../drain-run';
import { freshPrefix, type HooklineLauncher } from '../hookline';
import { createEndpoint } from '../hookline-api';
import { startRedisCount } from '../redis-usage';
import type { HooklineDrainFigures } from '../results';
import { withTracing } from '../traced-run';

/** Where a drain's deliveries go: the one endpoint it creates, and how the bench sees them arrive. */
export interface DrainTarget {
  createEndpoint(api: ApiClient): Promise<unknown>;
  arrivals: Arrivals;
  /** A broker the deliveries go through, whose CPU is counted beside the dispatcher's. */
  brokerPid?: number | undefined;
}

/** The drain's usual target: an HTTP endpoint at the receiver. */
function receiverTarget({ receiver }: CaseContext): DrainTarget {
  const tag = `drain-${Date.now().toString(36)}`;
  return {
    createEndpoint: (api) => createEndpoint(api, receiver.url('c', tag)),
    arrivals: atReceiver(receiver, tag),
  };
}

/**
 * Hookline's drain: a backlog published through the batch API with no dispatcher running, then
 * one dispatcher (`node apps/dispatcher/dist/main.js`, default settings) drains it to `target`, the
 * producer still running beside it. Measured exactly as the bare worker's drain (drain-run.ts).
 * The backlog is `sizes.drainEvents` events in batches of `sizes.batchSize` unless `backlog`
 * says otherwise.
 */
export async function measureDrain(
  { sizes, redis, profileDir, progress }: CaseContext,
  hookline: HooklineLauncher,
  target: DrainTarget,
  backlog: Partial<Omit<Backlog, 'batches'>> & { events?: number } = {},
): Promise<{
  figures: HooklineDrainFigures;
  brokerCpuMsPerDelivery: number | null;
  profile: ProfileRef | undefined;
}> {
  const { events = sizes.drainEvents, batchSize: most = sizes.batchSize, ...shape } = backlog;
  const batchSize = Math.min(events, most);
  const batches = Math.ceil(events / batchSize);
  const total = batches * batchSize;
  const prefix = freshPrefix('drain');
  const producer = await hookline.startProducer(prefix, { connections: 4 });
  try {
    progress(0, 'creating the endpoint');
    await target.createEndpoint(producer.api);
    const publishMs = await publishBacklog(
      producer.api,
      { ...shape, batches, batchSize },
      progress,
    );

    const redisCount = await startRedisCount(redis);
    const profileSince = Date.now();
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const dispatcher = await hookline.startDispatcher(prefix, { nodeArgs });
    try {
      const { figures, brokerCpuMsPerDelivery, steady } = await timeDrain(
        { progress },
        {
          arrivals: target.arrivals,
          total,
          deliverer: dispatcher,
          publisher: producer.child,
          redisCount,
          brokerPid: target.brokerPid,
        },
      );
      const metrics = await getText(`${dispatcher.metricsUrl}/metrics`, 5_000);
      const healthyMs = await dispatcher.healthy.catch(() => null);
      const attemptSeconds = metrics
        ? metricSum(metrics.text, 'hookline_delivery_duration_seconds_sum')
        : null;
      const attempts = metrics
        ? metricSum(metrics.text, 'hookline_delivery_duration_seconds_count')
        : null;
      progress(1, 'stopping the dispatcher');
      await dispatcher.stop();
      const profile = profileDir ? newestProfile(profileDir, profileSince) : undefined;
      return {
        figures: {
          ...figures,
          publishMs,
          healthyMs,
          attempts,
          attemptMs:
            attemptSeconds === null || !attempts
              ? null
              : Math.round((attemptSeconds / attempts) * 1e5) / 100,
          dispatcherHeap: metrics
            ? {
                totalBytes: metricValue(metrics.text, 'nodejs_heap_size_total_bytes'),
                usedBytes: metricValue(metrics.text, 'nodejs_heap_size_used_bytes'),
                externalBytes: metricValue(metrics.text, 'nodejs_external_memory_bytes'),
              }
            : null,
        },
        brokerCpuMsPerDelivery,
        profile: profile ? readProfile(profile, steady) : undefined,
      };
    } finally {
      await dispatcher.stop();
    }
  } finally {
    await producer.stop();
  }
}

export const drain: BenchCase = {
  id: 'drain',
  title: 'Hookline drain',
  hookline: true,
  async run(context) {
    const { figures, profile } = await measureDrain(
      context,
      context.hookline,
      receiverTarget(context),
    );
    return { drain: figures, ...(profile ? { profiles: { dispatcherDrain: profile } } : {}) };
  },
};

/**
 * A build of Hookline to set this one's drain against, run in the same bench run: a checkout
 * (`npm ci && npm run build`) of, say, the commit before a change to the pipeline.
 */
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;

/** The same drain with the producer and dispatcher of the baseline build (BENCH_BASELINE_ROOT). */
export const drainBaseline: BenchCase = {
  id: 'drain-baseline',
  title: 'Hookline drain, baseline build',
  hookline: true,
  unmet: () => (BASELINE_ROOT ? undefined : 'BENCH_BASELINE_ROOT names no baseline build'),
  async run(context) {
    const root = path.resolve(BASELINE_ROOT!);
    const baseline = context.hookline.of(root);
    const missing = baseline.missing();
    if (missing) throw new Error(`the baseline build at ${root}: ${missing}`);
    const { figures } = await measureDrain(context, baseline, receiverTarget(context));
    return { drainBaseline: { ...figures, root } };
  },
};

/** The same drain with the dispatcher (and the producer) exporting every span. */
export const drainTraced: BenchCase = {
  id: 'drain-traced',
  title: 'Hookline drain, tracing on',
  hookline: true,
  async run(context) {
    const { result, tracing } = await withTracing(
      context,
      (traced) => measureDrain(context, traced, receiverTarget(context)),
      { service: 'hookline-dispatcher', per: 'delivery', units: (r) => r.figures.count },
    );
    const { figures, profile } = result;
    return {
      drainTraced: { ...figures, tracing },
      ...(profile ? { profiles: { dispatcherDrainTraced: profile } } : {}),
    };
  },
};
