import { getText, metricValue } from '../api-client';
import { count, type BenchCase } from '../case';
import { cpuMs, peakRssBytes } from '../child-process';
import { nowMs } from '../clock';
import { newestProfile } from '../cpu-profile';
import { freshPrefix } from '../hookline';
import { batchBodies, createEndpoint, publishBatches } from '../hookline-api';
import { startRedisCount } from '../redis-usage';
import type { Results } from '../results';
import { perSecond } from '../stats';

/**
 * Hookline's drain: a backlog published through the batch API with no dispatcher running, then
 * one dispatcher (`node apps/dispatcher/dist/main.js`, default settings) drains it. Timed from
 * the spawn until the receiver has every delivery; also from the first delivery to the last.
 * The peak RSS of both processes is read at the end, before they stop.
 */
export const drain: BenchCase = {
  id: 'drain',
  title: 'Hookline drain',
  hookline: true,
  async run({ sizes, redis, receiver, hookline, profileDir, progress }) {
    const total = sizes.drainEvents;
    const batches = Math.ceil(total / sizes.batchSize);
    const prefix = freshPrefix('drain');
    const tag = `drain-${Date.now().toString(36)}`;
    const producer = await hookline.startProducer(prefix, { connections: 4 });
    try {
      progress(0, 'creating the endpoint');
      await createEndpoint(producer.api, receiver.url('c', tag));
      const bodies = batchBodies('bench.drain', batches, sizes.batchSize);
      const publishStarted = nowMs();
      const deliveries = await publishBatches(producer.api, bodies, 2, (done) =>
        progress(0, `publishing ${count(done * sizes.batchSize)}/${count(total)} events`),
      );
      const publishMs = nowMs() - publishStarted;
      if (deliveries !== total)
        throw new Error(`publishing ${total} events created ${deliveries} deliveries`);

      const redisCount = await startRedisCount(redis);
      const profileSince = Date.now();
      const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const dispatcher = await hookline.startDispatcher(prefix, { nodeArgs });
      // CPU is counted from the first delivery on: the steady state, without the process start.
      let steady: { cpuMs: number | undefined; count: number } | undefined;
      try {
        const stats = await receiver.waitForCount(tag, total, {
          timeoutMs: 240_000,
          intervalMs: 100,
          onProgress: (s) => {
            if (s.count > 0 && !steady)
              steady = { cpuMs: cpuMs(dispatcher.child.pid), count: s.count };
            progress(s.count / total, `${count(s.count)}/${count(total)} delivered`);
          },
        });
        const dispatcherCpuMs = cpuMs(dispatcher.child.pid);
        const redisUsage = await redisCount(total);
        const metrics = await getText(`${dispatcher.metricsUrl}/metrics`, 5_000);
        const memory: Results['memory'] = {
          dispatcherPeakRssBytes: peakRssBytes(dispatcher.child.pid) ?? null,
          producerPeakRssBytes: peakRssBytes(producer.child.pid) ?? null,
          dispatcherHeap: metrics
            ? {
                totalBytes: metricValue(metrics.text, 'nodejs_heap_size_total_bytes'),
                usedBytes: metricValue(metrics.text, 'nodejs_heap_size_used_bytes'),
                externalBytes: metricValue(metrics.text, 'nodejs_external_memory_bytes'),
              }
            : null,
        };
        const healthyMs = await dispatcher.healthy.catch(() => null);
        const ms = stats.lastAt! - dispatcher.spawnedAt;
        const firstToLastMs = stats.lastAt! - stats.firstAt!;
        progress(1, 'stopping the dispatcher');
        await dispatcher.stop();
        const drainProfile = profileDir ? newestProfile(profileDir, profileSince) : undefined;
        return {
          drain: {
            count: total,
            ms,
            perSecond: perSecond(total, ms),
            firstToLast: {
              count: total - 1,
              ms: firstToLastMs,
              perSecond: perSecond(total - 1, firstToLastMs),
            },
            startupMs: Math.round(stats.firstAt! - dispatcher.spawnedAt),
            healthyMs,
            duplicates: stats.duplicates,
            publishMs,
            redis: redisUsage,
            cpuMsPerDelivery:
              dispatcherCpuMs === undefined || steady?.cpuMs === undefined
                ? null
                : Math.round(((dispatcherCpuMs - steady.cpuMs) / (total - steady.count)) * 1000) /
                  1000,
          },
          memory,
          ...(drainProfile ? { profiles: { dispatcherDrain: drainProfile } } : {}),
        };
      } finally {
        await dispatcher.stop();
      }
    } finally {
      await producer.stop();
    }
  },
};
