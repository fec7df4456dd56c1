import { getText, metricSum } from '../api-client';
import type { BenchCase, CaseContext } from '../case';
import { atReceiver, publishBacklog, timeDrain, type Arrivals } from '../drain-run';
import { freshPrefix, type RunningProducer } from '../hookline';
import { createEndpoint } from '../hookline-api';
import { startRedisCount } from '../redis-usage';
import type { FloodFigures, TrickleFigures } from '../results';
import { measureTrickle } from '../trickle-run';

/** The tenant that floods, and the one that publishes a few events a second. */
export const FLOODING_TENANT = 'bench-tenant-a';
export const TRICKLING_TENANT = 'bench-tenant-b';

/** B's first second alone is a warm-up (the dispatcher's first requests, JIT): not counted. */
const ALONE_WARMUP_SECONDS = 1;

/** The three parts of the case, in the order they run. */
const PARTS = ['B alone', 'A alone', 'A with B'] as const;
type Part = (typeof PARTS)[number];

interface Tenants {
  producer: RunningProducer;
  prefix: string;
  /** The receiver tags of A's endpoint (counted) and B's (recorded). */
  tagA: string;
  tagB: string;
}

/**
 * Runs `body` against a producer of a fresh queue prefix (so a fresh log, and receiver tags of its
 * own) with one endpoint per tenant at the receiver, and stops the producer after.
 */
async function withTenants<T>(
  { hookline, receiver }: CaseContext,
  part: Part,
  body: (tenants: Tenants) => Promise<T>,
): Promise<T> {
  const name = part.replace(/ /g, '-').toLowerCase();
  const prefix = freshPrefix(`fair-${name}`);
  const stamp = Date.now().toString(36);
  const tagA = `fair-${name}-a-${stamp}`;
  const tagB = `fair-${name}-b-${stamp}`;
  const producer = await hookline.startProducer(prefix, { connections: 4 });
  try {
    await createEndpoint(producer.api, receiver.url('c', tagA), { tenant_id: FLOODING_TENANT });
    await createEndpoint(producer.api, receiver.url('r', tagB), { tenant_id: TRICKLING_TENANT });
    return await body({ producer, prefix, tagA, tagB });
  } finally {
    await producer.stop();
  }
}

/** B publishing alone for `fairnessAloneSeconds` after a warm-up, a dispatcher running. */
async function bAlone(context: CaseContext, progress: CaseContext['progress']) {
  const { sizes, hookline, receiver } = context;
  return withTenants(context, 'B alone', async ({ producer, prefix, tagB }) => {
    const dispatcher = await hookline.startDispatcher(prefix);
    try {
      progress(0, 'starting the dispatcher');
      await dispatcher.healthy;
      const seconds = ALONE_WARMUP_SECONDS + sizes.fairnessAloneSeconds;
      const until = Date.now() + seconds * 1000;
      progress(0.1, `B publishing ${sizes.fairnessRate}/s for ${seconds} s`);
      return await measureTrickle(
        { api: producer.api, receiver, tag: tagB, tenantId: TRICKLING_TENANT },
        {
          rate: sizes.fairnessRate,
          warmupSeconds: ALONE_WARMUP_SECONDS,
          stopped: () => Date.now() >= until,
        },
      );
    } finally {
      await dispatcher.stop();
    }
  });
}

/**
 * A's flood drained as the drain case drains its backlog (drain.ts): published through the batch
 * API with no dispatcher running, then one dispatcher spawned and timed until the last of A's
 * deliveries. With `withB`, B publishes from A's first delivery until its last.
 */
async function aFlood(
  context: CaseContext,
  part: 'A alone' | 'A with B',
  progress: CaseContext['progress'],
): Promise<{ drain: FloodFigures; b: TrickleFigures | null }> {
  const { sizes, hookline, receiver, redis } = context;
  // A tenant id makes each event ~30 bytes longer: 1,000 of them would pass the API's 1 MiB.
  const batchSize = Math.min(sizes.fairnessEvents, sizes.batchSize / 2);
  const batches = Math.ceil(sizes.fairnessEvents / batchSize);
  const total = batches * batchSize;
  return withTenants(context, part, async ({ producer, prefix, tagA, tagB }) => {
    const publishMs = await publishBacklog(
      producer.api,
      { batches, batchSize, tenantId: FLOODING_TENANT },
      progress,
    );
    let drained = false;
    let b: Promise<TrickleFigures> | undefined;
    const startB = () =>
      measureTrickle(
        { api: producer.api, receiver, tag: tagB, tenantId: TRICKLING_TENANT },
        { rate: sizes.fairnessRate, stopped: () => drained },
      );
    const toA = atReceiver(receiver, tagA);
    const arrivals: Arrivals =
      part === 'A with B'
        ? {
            waitFor: (count, options) =>
              toA.waitFor(count, {
                ...options,
                onProgress: (stats) => {
                  options.onProgress?.(stats);
                  if (stats.count > 0 && !b) b = startB();
                },
              }),
          }
        : toA;

    const redisCount = await startRedisCount(redis);
    const dispatcher = await hookline.startDispatcher(prefix);
    try {
      const { figures } = await timeDrain(
        { progress },
        { arrivals, total, deliverer: dispatcher, publisher: producer.child, redisCount },
      ).finally(() => {
        drained = true;
      });
      const metrics = await getText(`${dispatcher.metricsUrl}/metrics`, 5_000);
      const attemptSeconds = metrics
        ? metricSum(metrics.text, 'hookline_delivery_duration_seconds_sum')
        : null;
      const attempts = metrics
        ? metricSum(metrics.text, 'hookline_delivery_duration_seconds_count')
        : null;
      const drain = {
        ...figures,
        publishMs,
        attempts,
        attemptMs:
          attemptSeconds === null || !attempts
            ? null
            : Math.round((attemptSeconds / attempts) * 1e5) / 100,
      };
      if (part === 'A alone') return { drain, b: null };
      if (!b) throw new Error('B never started: no delivery of A was seen');
      progress(1, "waiting for B's last deliveries");
      return { drain, b: await b };
    } finally {
      // B's publishes, if any, end with the drain; wait for them before stopping their producer.
      await b?.catch(() => undefined);
      await dispatcher.stop();
    }
  });
}

/**
 * Tenant fairness. Tenant B publishes a few single events a second, first alone, then while
 * tenant A's flood (`fairnessEvents` published at once) drains; A's flood is also drained with B
 * silent. Each part has a producer and a dispatcher of its own at default settings, on a fresh
 * queue prefix, against the one receiver: B's latency during the flood against B's alone, and A's
 * drain with B against A's alone, all from the same round.
 */
export const fairness: BenchCase = {
  id: 'fairness',
  title: 'Hookline tenant fairness',
  hookline: true,
  async run(context) {
    const partProgress =
      (part: Part): CaseContext['progress'] =>
      (fraction, detail) =>
        context.progress((PARTS.indexOf(part) + fraction) / PARTS.length, `${part}: ${detail}`);
    const alone = await bAlone(context, partProgress('B alone'));
    const floodAlone = await aFlood(context, 'A alone', partProgress('A alone'));
    const flood = await aFlood(context, 'A with B', partProgress('A with B'));
    if (!flood.b) throw new Error('B published nothing during the flood');
    return {
      fairness: {
        backlog: flood.drain.count,
        alone,
        floodAlone: floodAlone.drain,
        flood: flood.drain,
        duringFlood: flood.b,
      },
    };
  },
};
