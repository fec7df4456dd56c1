import { Worker, type Job } from 'bullmq';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor } from '../src/ids';
import { deliveryState, initialState } from '../src/in-flight/job-record';
import type { Change } from '../src/log/changes';
import type { LogStore } from '../src/log/log-store';
import { LOG_GROUP, logLagSeconds, LogWriter } from '../src/log/log-writer';
import { createLogger } from '../src/logger';
import { prepareEvent } from '../src/in-flight/prepare-event';
import { parseJob } from '../src/queues';
import { cleanupPrefix, keysOfPrefix, testPrefix, TEST_REDIS, waitFor } from '../src/testing';
import { createTestLog, type TestLog } from '../src/testing-log';

// The change stream into the log, end to end on a real Redis and a real Postgres: what a publish
// and a dispatcher's moves append is written to the log, the stream and the marks are emptied,
// and the settled jobs leave Redis; a writer that dies mid-batch leaves its batch to another.

const prefix = testPrefix('writer');
const logger = createLogger('silent', 'test');
let testLog: TestLog;
let ctx: HooklineContext;
let workers: Worker[] = [];
const writers: LogWriter[] = [];

function writer(log: LogStore = ctx.log, options = {}) {
  const w = new LogWriter(ctx.redis, ctx.keys, log, logger, 3_600_000, {
    idleMs: 20,
    sweepEveryMs: 100,
    ...options,
  });
  writers.push(w);
  return w;
}

beforeAll(async () => {
  testLog = await createTestLog('writer');
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
      logUrl: testLog.url,
    },
    'worker',
  );
  await ctx.ready();
  await ctx.log.migrate();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(writers.map((w) => w.close()));
  await ctx.close();
  await cleanupPrefix(prefix);
  await testLog.drop();
});

/** Workers (one per shard) that settle every delivery they take as delivered, as a dispatcher would. */
function deliverEverything(): Worker[] {
  const settle = async (job: Job) => {
    const data = parseJob('deliver', job.data);
    await ctx.inFlight.record(deliveryState(data, initialState(data)), {
      to: 'delivered',
      now: Date.now(),
      attempt: {
        number: 1,
        at: new Date().toISOString(),
        duration_ms: 3,
        status_code: 204,
        error: null,
        response_excerpt: '',
      },
    });
  };
  return ctx.queues.shards.map(
    (s) =>
      new Worker(s.deliveries.name, settle, {
        connection: ctx.bullmq,
        prefix: ctx.keys.shard(s.shard),
      }),
  );
}

test('publishes and deliveries reach the log, and nothing of them stays in Redis', async () => {
  const endpoints = ['ep_01JA0000000000000000000001', 'ep_01JA0000000000000000000002'];
  const events = Array.from({ length: 30 }, (_, i) =>
    prepareEvent({ name: `order.e${i % 3}`, data: { i }, tenant_id: 'acme' }, endpoints),
  );
  await ctx.publisher.publish(events);
  const ids = events.flatMap((e) => endpoints.map((ep) => deliveryIdFor(e.event.id, ep)));

  // Readable by id before anything is logged: the event from its change, the deliveries from their jobs.
  const early = await ctx.deliveries.getEvent(events[0]!.event.id);
  expect(early?.deliveries.map((d) => d.status)).toEqual(['pending', 'pending']);

  workers = deliverEverything();
  writer().start();
  await waitFor(
    async () => {
      const logged = await ctx.log.getDeliveries(ids);
      return logged.length === ids.length && logged.every((d) => d.status === 'delivered');
    },
    { timeoutMs: 20_000 },
  );
  await waitFor(
    async () => {
      const left = await keysOfPrefix(prefix);
      // What stays is BullMQ's bookkeeping of each queue (ids, meta, events, empty sets).
      return !left.some((key) => /:(deliveries:whd_|evt:)/.test(key));
    },
    { timeoutMs: 20_000 },
  );
  const logged = await ctx.log.getDeliveries([ids[0]!]);
  expect(logged[0]?.attempts).toEqual([expect.objectContaining({ number: 1, status_code: 204 })]);
  const event = await ctx.deliveries.getEvent(events[0]!.event.id);
  expect(event?.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
  for (const shard of ctx.keys.allShards)
    expect(await ctx.redis.xlen(ctx.keys.changes(shard))).toBe(0);
  expect(await logLagSeconds(ctx.redis, ctx.keys)).toBe(0);
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

test('a writer that dies mid-batch leaves its batch to another, which writes it once', async () => {
  // A writer whose log never accepts: it reads a batch and holds it, unacknowledged.
  const refused: LogStore = Object.assign(Object.create(ctx.log) as LogStore, {
    write: (_changes: readonly Change[]) => Promise.reject(new Error('the log is away')),
  });
  for (const w of writers.splice(0)) await w.close();
  const stuck = writer(refused, { claimIdleMs: 300, maxBackoffMs: 50 });
  stuck.start();
  const event = prepareEvent({ name: 'order.stuck', data: {} }, ['ep_01JA0000000000000000000003']);
  await ctx.publisher.publish([event]);
  const stream = ctx.keys.changesOf(event.event.id);
  await waitFor(
    async () => {
      const pending = (await ctx.redis.xpending(stream, LOG_GROUP)) as [number, ...unknown[]];
      return pending[0] > 0;
    },
    { timeoutMs: 10_000 },
  );
  // It dies (its loop stops without acknowledging); another writer takes the batch over.
  await stuck.close();
  writer(ctx.log, { claimIdleMs: 300 }).start();
  await waitFor(async () => (await ctx.log.getEvent(event.event.id)) !== undefined, {
    timeoutMs: 15_000,
  });
  await waitFor(async () => (await ctx.redis.xlen(stream)) === 0, { timeoutMs: 10_000 });
  expect(await ctx.redis.exists(ctx.keys.unloggedEvent(event.event.id))).toBe(0);
});
