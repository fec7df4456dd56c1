import { count, inParallel, type BenchCase } from '../case';
import { nowMs } from '../clock';
import { newestProfile } from '../cpu-profile';
import { freshPrefix } from '../hookline';
import { batchBodies, createEndpoint, eventJson, publishBatches } from '../hookline-api';
import { perSecond, summarize } from '../stats';

/** Excluded warm-up before each timed part, so the JIT's first minutes are not the figure. */
const WARMUP_BATCH = 100;
const WARMUP_SINGLES = 200;

/**
 * Hookline's publish path alone (no dispatcher), one endpoint subscribed so every event creates
 * one delivery: batch publish in events/s, then single publishes from many keep-alive clients in
 * requests/s with their latency. Request bodies are built before the clock starts.
 */
export const publish: BenchCase = {
  id: 'publish',
  title: 'Hookline publish',
  hookline: true,
  async run({ sizes, receiver, hookline, profileDir, progress }) {
    const prefix = freshPrefix('publish');
    const connections = Math.max(sizes.singleConcurrency, sizes.batchConcurrency);
    const profileSince = Date.now();
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const producer = await hookline.startProducer(prefix, { connections, nodeArgs });
    const { api } = producer;
    try {
      progress(0, 'creating the endpoint; warming up');
      await createEndpoint(api, receiver.url('c', `publish-${Date.now().toString(36)}`));
      await publishBatches(api, batchBodies('bench.warmup', 1, WARMUP_BATCH), 1);
      await inParallel(WARMUP_SINGLES, sizes.singleConcurrency, async (i) => {
        await api.expect(202, 'POST', '/v1/events', eventJson('bench.warmup', i));
      });

      const events = sizes.publishBatches * sizes.batchSize;
      const bodies = batchBodies('bench.batch', sizes.publishBatches, sizes.batchSize);
      const batchStarted = nowMs();
      const deliveries = await publishBatches(api, bodies, sizes.batchConcurrency, (done) =>
        progress(
          (0.5 * done) / sizes.publishBatches,
          `batches: ${count(done * sizes.batchSize)}/${count(events)} events`,
        ),
      );
      const batchMs = nowMs() - batchStarted;
      if (deliveries !== events)
        throw new Error(`${events} events in batches created ${deliveries} deliveries`);

      const total = sizes.singlePublishes;
      const singles = Array.from({ length: total }, (_, i) => eventJson('bench.single', i));
      const latencies = new Float64Array(total);
      let done = 0;
      const ticker = setInterval(
        () =>
          progress(0.5 + (0.5 * done) / total, `single: ${count(done)}/${count(total)} requests`),
        100,
      );
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
      await producer.stop();
      const profile = profileDir ? newestProfile(profileDir, profileSince) : undefined;
      return {
        ...(profile ? { profiles: { producerPublish: profile } } : {}),
        publish: {
          batch: {
            count: events,
            ms: batchMs,
            perSecond: perSecond(events, batchMs),
            batches: sizes.publishBatches,
            batchSize: sizes.batchSize,
            concurrency: sizes.batchConcurrency,
          },
          single: {
            count: total,
            ms: singleMs,
            perSecond: perSecond(total, singleMs),
            concurrency: sizes.singleConcurrency,
            latencyMs: summarize([...latencies]),
          },
        },
      };
    } finally {
      await producer.stop();
    }
  },
};
