import type { DeliveryStatus, OrderingKey } from '@hookline/api';
import type { Redis } from 'ioredis';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor, newId } from '../src/ids';
import { recordArgs } from '../src/in-flight/record';
import { prepareEvent } from '../src/in-flight/prepare-event';
import { fromStatuses } from '../src/lifecycle';
import { lineOf, type Line } from '../src/ordering/lines';
import type { DeliverJob } from '../src/queues';
import { DELIVERIES_QUEUE } from '../src/redis/keys';
import { cleanupPrefix, testPrefix, TEST_REDIS } from '../src/testing';
import { createTestLog, startTestLogWriter, untilLogged, type TestLog } from '../src/testing-log';

// Ordering lines against real Redis (a Redis Cluster too, when the suite runs on one): the
// publish path puts an ordered endpoint's deliveries in their lines (commands/line-up-5.lua), where
// only a line's head is in BullMQ's wait list, and settling a head (commands/record-2.lua) lets
// the next one go, in the same step. No worker runs here: what BullMQ's lists hold is read directly.

const prefix = testPrefix('lines');
let ctx: HooklineContext;
let redis: Redis;
let log: TestLog;

beforeAll(async () => {
  log = await createTestLog('lines');
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
      logUrl: log.url,
    },
    'api',
  );
  await ctx.ready();
  await ctx.log.migrate();
  redis = ctx.redis;
});
afterAll(async () => {
  await ctx.close();
  await cleanupPrefix(prefix);
  await log.drop();
});

/** Publishes one event per resource id, in order, each in a publish of its own; their deliveries. */
async function publishFor(
  endpointId: string,
  key: OrderingKey,
  resources: (string | null)[],
  tenantId: string | null = null,
): Promise<DeliverJob[]> {
  const jobs: DeliverJob[] = [];
  for (const resource of resources) {
    const event = prepareEvent(
      {
        name: 'order.paid',
        data: { n: jobs.length },
        tenant_id: tenantId,
        ...(resource ? { resource: { id: resource, resource_type: 'order' } } : {}),
      },
      [endpointId],
    );
    event.orderings = new Map([[endpointId, key]]);
    await ctx.publisher.publish([event]);
    const line = lineOf(endpointId, key, { tenantId, resourceId: resource });
    const id = deliveryIdFor(event.event.id, endpointId, line.slot);
    const job = await ctx.queues.of(id).deliveries.getJob(id);
    expect(job).toBeDefined();
    jobs.push(job!.data as DeliverJob);
  }
  return jobs;
}

const shardOf = (line: Line) => ctx.keys.shardOf(deliveryIdFor(newId('evt'), 'ep', line.slot));
const lineList = (line: Line) => redis.lrange(ctx.keys.line(shardOf(line), line.name), 0, -1);
const waitList = (line: Line) =>
  redis.lrange(`${ctx.keys.shard(shardOf(line))}:${DELIVERIES_QUEUE}:wait`, 0, -1);
const sequence = async (id: string) => Number(await redis.hget(ctx.keys.deliveryJob(id), 'hlq'));
const record = (data: DeliverJob, to: DeliveryStatus) =>
  redis.hlRecord(
    ...recordArgs(ctx.keys, data, {
      to,
      now: Date.now(),
      from: fromStatuses('attempt-succeeded'),
      nextAttemptAt: to === 'failed' ? Date.now() + 60_000 : null,
      attempt: {
        number: 1,
        at: new Date().toISOString(),
        duration_ms: 3,
        status_code: to === 'failed' ? 500 : 200,
        error: null,
        response_excerpt: '',
      },
    }),
  );

test("a line's deliveries live in its slot, numbered in publish order; only its head waits for a worker", async () => {
  const endpointId = newId('ep');
  const jobs = await publishFor(endpointId, 'resource', ['r1', 'r2', 'r1', 'r1', 'r2']);
  const r1 = lineOf(endpointId, 'resource', { tenantId: null, resourceId: 'r1' });
  const r2 = lineOf(endpointId, 'resource', { tenantId: null, resourceId: 'r2' });
  const ids = jobs.map((j) => j.delivery_id);
  expect(await lineList(r1)).toEqual([ids[0], ids[2], ids[3]]);
  expect(await lineList(r2)).toEqual([ids[1], ids[4]]);
  expect(await Promise.all(ids.map(sequence))).toEqual([1, 1, 2, 3, 2]);
  // Every delivery of a line is in the line's shard; only the heads are where workers take jobs.
  for (const id of [ids[0]!, ids[2]!, ids[3]!]) expect(ctx.keys.shardOf(id)).toBe(shardOf(r1));
  const waiting = new Set([...(await waitList(r1)), ...(await waitList(r2))]);
  expect(ids.filter((id) => waiting.has(id))).toEqual([ids[0], ids[1]]);
  const lines = await redis.zrange(ctx.keys.lines(shardOf(r1)), 0, -1);
  expect(lines).toContain(r1.name);
  // Reading the event by id finds a lined delivery before the log has it.
  const event = await ctx.deliveries.getEvent(jobs[2]!.event_id);
  expect(event?.deliveries.map((d) => d.id)).toEqual([ids[2]]);
});

test('a head that fails holds its line and marks it blocked; settled, it lets the next go next', async () => {
  const endpointId = newId('ep');
  const [first, second, third] = await publishFor(endpointId, 'endpoint', [null, null, null]);
  const line = lineOf(endpointId, 'endpoint', { tenantId: null, resourceId: null });
  const blocked = ctx.keys.blockedLines(shardOf(line));

  expect(await record(first!, 'failed')).toBe('ok');
  expect(await redis.zscore(blocked, line.name)).not.toBeNull();
  expect(await lineList(line)).toEqual([first, second, third].map((j) => j!.delivery_id));
  expect(await waitList(line)).not.toContain(second!.delivery_id);

  expect(await record(first!, 'delivered')).toBe('ok');
  expect(await redis.zscore(blocked, line.name)).toBeNull();
  expect(await lineList(line)).toEqual([second!.delivery_id, third!.delivery_id]);
  // Released at the end workers take from: it goes before jobs that waited less.
  const wait = await waitList(line);
  expect(wait.at(-1)).toBe(second!.delivery_id);
  expect(wait).not.toContain(third!.delivery_id);

  // A dead head lets the line move on too.
  expect(await record(second!, 'dead')).toBe('ok');
  expect(await lineList(line)).toEqual([third!.delivery_id]);
  expect((await waitList(line)).at(-1)).toBe(third!.delivery_id);
  expect(await record(third!, 'delivered')).toBe('ok');
  expect(await lineList(line)).toEqual([]);
  expect(await redis.zscore(ctx.keys.lines(shardOf(line)), line.name)).toBeNull();
});

test('a delivery settled while it waits behind the head leaves its line for a worker to finish it', async () => {
  const endpointId = newId('ep');
  const [head, waiting, last] = await publishFor(endpointId, 'tenant', [null, null, null], 'acme');
  const line = lineOf(endpointId, 'tenant', { tenantId: 'acme', resourceId: null });
  // Its endpoint deleted: the producer drops the deliveries still waiting (in-flight-store.ts).
  expect(await ctx.inFlight.dropWaiting([waiting!.delivery_id], Date.now())).toBe(1);
  expect(await lineList(line)).toEqual([head!.delivery_id, last!.delivery_id]);
  expect(await waitList(line)).toContain(waiting!.delivery_id);
  expect(await waitList(line)).not.toContain(last!.delivery_id);
});

test('publishing again what exists adds nothing to a line; a fan-out lines up only its ordered endpoints', async () => {
  const ordered = newId('ep');
  const plain = newId('ep');
  const event = prepareEvent(
    { name: 'order.paid', data: {}, resource: { id: 'r9', resource_type: 'order' } },
    [plain, ordered],
  );
  event.orderings = new Map([[ordered, 'resource' as const]]);
  await ctx.publisher.publish([event]);
  await ctx.publisher.completeFanout(event);
  const line = lineOf(ordered, 'resource', { tenantId: null, resourceId: 'r9' });
  const lined = deliveryIdFor(event.event.id, ordered, line.slot);
  expect(await lineList(line)).toEqual([lined]);
  expect(await sequence(lined)).toBe(1);
  const plainId = deliveryIdFor(event.event.id, plain);
  expect(await redis.hget(ctx.keys.deliveryJob(plainId), 'hlq')).toBeNull();
  const read = await ctx.deliveries.getEvent(event.event.id);
  expect(read?.deliveries.map((d) => d.id).sort()).toEqual([plainId, lined].sort());
});

test("the log writes a lined delivery from its line's shard, and the event's marks go in both shards", async () => {
  const endpointId = newId('ep');
  const [job] = await publishFor(endpointId, 'resource', ['r-logged']);
  const writer = startTestLogWriter(ctx);
  try {
    await untilLogged(ctx);
  } finally {
    await writer.close();
  }
  const [logged] = await ctx.log.getDeliveries([job!.delivery_id]);
  expect(logged).toMatchObject({
    id: job!.delivery_id,
    endpoint_id: endpointId,
    status: 'pending',
  });
  expect(await ctx.log.getEvent(job!.event_id)).toBeDefined();
  for (const shard of ctx.keys.allShards)
    expect(await redis.exists(ctx.keys.unloggedEventIn(shard, job!.event_id))).toBe(0);
});
