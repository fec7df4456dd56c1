import { EndpointCreate, type DeliveryStatus } from '@hookline/api';
import type { Redis } from 'ioredis';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor, newId } from '../src/ids';
import { changeHead, deliveryState, initialState } from '../src/in-flight/job-record';
import { recordArgs } from '../src/in-flight/record';
import { requeueArgs } from '../src/in-flight/requeue';
import { DELIVERY_MOVES, type DeliveryMove } from '../src/lifecycle';
import type { DeliveryChanged, EventAccepted } from '../src/log/changes';
import { forgetArgs } from '../src/log/job-sweeper';
import { parseEntry, type StreamEntry } from '../src/log/stream-entries';
import { prepareEvent } from '../src/in-flight/prepare-event';
import type { DeliverJob } from '../src/queues';
import { cleanupPrefix, testPrefix, TEST_REDIS } from '../src/testing';

// The in-flight scripts (src/commands/record-2.lua, requeue-4.lua, forget-2.lua, publish-1.lua)
// called with the arguments their builders give, against real Redis: a delivery in flight is its
// BullMQ job, and every move appends its change to the shard's stream in the same step. The
// context never reaches its log here (the pool connects on first use).

const prefix = testPrefix('inflight');
let ctx: HooklineContext;
let redis: Redis;

beforeAll(async () => {
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
      logUrl: 'postgres://postgres@127.0.0.1:5432/hookline_unused',
    },
    'api',
  );
  await ctx.ready();
  redis = ctx.redis;
});
afterAll(async () => {
  await ctx.close();
  await cleanupPrefix(prefix);
});

/** A published delivery: its job made by the real publish path. */
async function published(name = 'order.paid', tenantId: string | null = null): Promise<DeliverJob> {
  const endpointId = newId('ep');
  const event = prepareEvent({ name, data: { n: 1 }, tenant_id: tenantId }, [endpointId]);
  await ctx.publisher.publish([event]);
  const id = deliveryIdFor(event.event.id, endpointId);
  const job = await ctx.queues.of(id).deliveries.getJob(id);
  return job!.data as DeliverJob;
}

/** Every change in the stream of `id`'s shard that concerns `id`, oldest first. */
async function changesOf(id: string) {
  const entries = (await redis.xrange(ctx.keys.changesOf(id), '-', '+')) as StreamEntry[];
  return entries
    .map(parseEntry)
    .filter(
      (c): c is DeliveryChanged | EventAccepted =>
        !(c instanceof Error) &&
        (c.kind === 'delivery' ? c.id === id : c.deliveries.some((d) => d.id === id)),
    );
}

const hash = (id: string) => redis.hgetall(ctx.keys.deliveryJob(id));

function record(
  data: DeliverJob,
  to: DeliveryStatus,
  extra: Partial<Parameters<typeof recordArgs>[2]> = {},
) {
  return redis.hlRecord(...recordArgs(ctx.keys, data, { to, now: Date.now(), ...extra }));
}

const attempt = (n: number, status = 500) => ({
  number: n,
  at: new Date().toISOString(),
  duration_ms: 12,
  status_code: status,
  error: null,
  response_excerpt: 'nope',
});

describe('publish-1.lua', () => {
  test("appends one change per event naming its deliveries, and marks the event unlogged with the change's id", async () => {
    const data = await published('order.created', 'acme');
    const [change, ...rest] = await changesOf(data.delivery_id);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      kind: 'event',
      id: data.event_id,
      name: 'order.created',
      tenant_id: 'acme',
      deliveries: [{ id: data.delivery_id, endpoint_id: data.endpoint_id }],
    });
    expect(JSON.parse((change as EventAccepted).body)).toMatchObject({ name: 'order.created' });
    expect(await redis.hgetall(ctx.keys.unloggedEvent(data.event_id))).toEqual({
      [change!.version]: '1',
    });
  });

  test('the job carries the body and what the log searches by, and no state field yet', async () => {
    const data = await published('order.created', 'acme');
    expect(data).toMatchObject({
      tenant_id: 'acme',
      name: 'order.created',
      attempts: 0,
      test: false,
    });
    expect(Object.keys(await hash(data.delivery_id)).filter((f) => f.startsWith('hl'))).toEqual([]);
  });
});

describe('record-2.lua', () => {
  test('records the attempt in the job and appends the change with it, in one step', async () => {
    const data = await published();
    const next = Date.now() + 5_000;
    expect(await record(data, 'failed', { attempt: attempt(1), nextAttemptAt: next })).toBe('ok');
    const fields = await hash(data.delivery_id);
    expect(fields).toMatchObject({ hls: 'failed', hln: '1', hlx: String(next) });
    expect(JSON.parse(fields['hla:1']!)).toMatchObject({ number: 1, status_code: 500 });
    const change = (await changesOf(data.delivery_id)).at(-1) as DeliveryChanged;
    expect(change).toMatchObject({
      kind: 'delivery',
      status: 'failed',
      attempts: 1,
      next_attempt_at: next,
      dead_letter: false,
      attempt: { number: 1, status_code: 500 },
      event_id: data.event_id,
      endpoint_id: data.endpoint_id,
      event_name: data.name,
    });
  });

  test('counts on from the job data when the hash has no count yet (a replayed job)', async () => {
    const data = { ...(await published()), attempts: 4 };
    expect(await record(data, 'delivered', { attempt: attempt(5, 200) })).toBe('ok');
    const fields = await hash(data.delivery_id);
    expect(fields.hln).toBe('5');
    expect(JSON.parse(fields['hla:5'] ?? 'null')).toMatchObject({ number: 5, status_code: 200 });
  });

  test('a move without an attempt changes the status only', async () => {
    const data = await published();
    expect(await record(data, 'dead', { deadLetter: true })).toBe('ok');
    const change = (await changesOf(data.delivery_id)).at(-1) as DeliveryChanged;
    expect(change).toMatchObject({ status: 'dead', attempts: 0, attempt: null, dead_letter: true });
    expect(Object.keys(await hash(data.delivery_id)).filter((f) => f.startsWith('hla:'))).toEqual(
      [],
    );
  });

  test('answers gone for a delivery with no job, and appends nothing', async () => {
    const data = { ...(await published()), delivery_id: newId('whd') };
    const before = await redis.xlen(ctx.keys.changesOf(data.delivery_id));
    expect(await record(data, 'delivered')).toBe('gone');
    expect(await redis.xlen(ctx.keys.changesOf(data.delivery_id))).toBe(before);
  });

  const transitions = (Object.keys(DELIVERY_MOVES) as DeliveryMove[]).filter(
    (move) => DELIVERY_MOVES[move].via === 'transition',
  );
  test.each(transitions)(
    '%s: refused from a status it does not start from, and nothing appended',
    async (move) => {
      const rule = DELIVERY_MOVES[move];
      const data = await published();
      const outside = (['pending', 'delivered', 'failed', 'dead'] as const).filter(
        (s) => !(rule.from as readonly string[]).includes(s),
      );
      for (const status of outside) {
        await redis.hset(ctx.keys.deliveryJob(data.delivery_id), 'hls', status);
        const before = await redis.xlen(ctx.keys.changesOf(data.delivery_id));
        expect(await record(data, rule.to, { from: rule.from })).toBe('refused');
        expect(await redis.xlen(ctx.keys.changesOf(data.delivery_id))).toBe(before);
      }
      for (const status of rule.from) {
        await redis.hset(ctx.keys.deliveryJob(data.delivery_id), 'hls', status);
        expect(await record(data, rule.to, { from: rule.from })).toBe('ok');
      }
    },
  );
});

describe('requeue-4.lua', () => {
  const requeue = (
    data: DeliverJob,
    loggedStatus: DeliveryStatus | '',
    allowed: readonly DeliveryStatus[],
  ) => redis.hlRequeue(...requeueArgs(ctx.keys, { data, loggedStatus }, allowed, Date.now()));

  test('a job still moving goes back to pending, its cycle starting at its attempts', async () => {
    const data = await published();
    await record(data, 'failed', { attempt: attempt(1), nextAttemptAt: Date.now() + 60_000 });
    expect(await requeue({ ...data, attempts: 1 }, '', ['failed', 'dead'])).toBe('moving');
    expect(await hash(data.delivery_id)).toMatchObject({ hls: 'pending', hlx: '', hlc: '1' });
    expect((await changesOf(data.delivery_id)).at(-1)).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
  });

  test('a finished job is removed, so that the job added next in the MULTI is its new one', async () => {
    const data = await published();
    await record(data, 'dead', { attempt: attempt(1), deadLetter: true });
    const shard = ctx.keys.shardOf(data.delivery_id);
    await redis.zadd(ctx.keys.deliveriesCompleted(shard), Date.now(), data.delivery_id);
    expect(await requeue({ ...data, attempts: 1 }, 'dead', ['dead'])).toBe('new');
    expect(await redis.exists(ctx.keys.deliveryJob(data.delivery_id))).toBe(0);
    expect(await redis.zscore(ctx.keys.deliveriesCompleted(shard), data.delivery_id)).toBeNull();
  });

  test('a settled job its dispatcher has not finished yet is not requeued: it answers finishing, changes nothing, and goes once finished', async () => {
    const data = await published();
    await record(data, 'dead', { attempt: attempt(1), deadLetter: true });
    const before = await redis.xlen(ctx.keys.changesOf(data.delivery_id));
    expect(await requeue({ ...data, attempts: 1 }, '', ['dead'])).toBe('finishing');
    expect(await hash(data.delivery_id)).toMatchObject({ hls: 'dead' });
    expect(await redis.xlen(ctx.keys.changesOf(data.delivery_id))).toBe(before);
    // BullMQ finishes it: now it is requeued as a new job.
    const shard = ctx.keys.shardOf(data.delivery_id);
    await redis.zadd(ctx.keys.deliveriesFailed(shard), Date.now(), data.delivery_id);
    expect(await requeue({ ...data, attempts: 1 }, '', ['dead'])).toBe('new');
  });

  test('a requeue that meets a finishing job asks again, and requeues it once its dispatcher has finished it', async () => {
    const endpoint = await ctx.endpoints.create(
      EndpointCreate.parse({ url: 'http://127.0.0.1/x' }),
    );
    const event = prepareEvent({ name: 'order.paid', data: {} }, [endpoint.id]);
    await ctx.publisher.publish([event]);
    const id = deliveryIdFor(event.event.id, endpoint.id);
    const data = (await ctx.queues.of(id).deliveries.getJob(id))!.data as DeliverJob;
    await record(data, 'delivered', { attempt: attempt(1) });
    const asked = ctx.deliveries.requeue([id], ['delivered', 'dead']);
    // Its dispatcher finishes the job a moment later, as BullMQ does.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const shard = ctx.keys.shardOf(id);
    await redis.zadd(ctx.keys.deliveriesCompleted(shard), Date.now(), id);
    expect(await asked).toEqual([id]);
    const job = await ctx.queues.of(id).deliveries.getJob(id);
    expect(await job?.getState()).toBe('waiting');
    expect((job?.data as DeliverJob).attempts).toBe(1);
    expect((await changesOf(id)).at(-1)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  test("with no job, the log's status decides", async () => {
    const data = { ...(await published()), delivery_id: newId('whd') };
    expect(await requeue(data, 'dead', ['dead'])).toBe('new');
    expect(await requeue(data, 'delivered', ['dead'])).toBe('delivered');
    expect(await requeue(data, '', ['dead'])).toBe('gone');
  });

  test("a job's own status refuses a move it does not allow, and nothing is appended", async () => {
    const data = await published();
    const before = await redis.xlen(ctx.keys.changesOf(data.delivery_id));
    expect(await requeue(data, 'dead', ['dead'])).toBe('pending');
    expect(await redis.xlen(ctx.keys.changesOf(data.delivery_id))).toBe(before);
  });
});

describe('forget-2.lua', () => {
  test('removes a completed job the log holds settled, and leaves one still moving or failed and not yet dead', async () => {
    const [settled, moving, failed] = await Promise.all([published(), published(), published()]);
    await record(settled, 'delivered', { attempt: attempt(1, 200) });
    await record(moving, 'delivered', { attempt: attempt(1, 200) });
    const shardOf = (d: DeliverJob) => ctx.keys.shardOf(d.delivery_id);
    await redis.zadd(
      ctx.keys.deliveriesCompleted(shardOf(settled)),
      Date.now(),
      settled.delivery_id,
    );
    // BullMQ gave up on this one; the dispatcher has not dead-lettered it yet.
    await redis.zadd(ctx.keys.deliveriesFailed(shardOf(failed)), Date.now(), failed.delivery_id);
    // `moving` settled in its hash, but BullMQ has not finished its job yet: it stays.
    for (const d of [settled, moving, failed])
      await redis.hlForget(...forgetArgs(ctx.keys, shardOf(d), [d.delivery_id]));
    expect(await redis.exists(ctx.keys.deliveryJob(settled.delivery_id))).toBe(0);
    expect(
      await redis.zscore(ctx.keys.deliveriesCompleted(shardOf(settled)), settled.delivery_id),
    ).toBeNull();
    expect(await redis.exists(ctx.keys.deliveryJob(moving.delivery_id))).toBe(1);
    expect(await redis.exists(ctx.keys.deliveryJob(failed.delivery_id))).toBe(1);
    // Once dead-lettered, the failed job goes too.
    await record(failed, 'dead', { deadLetter: true });
    await redis.hlForget(...forgetArgs(ctx.keys, shardOf(failed), [failed.delivery_id]));
    expect(await redis.exists(ctx.keys.deliveryJob(failed.delivery_id))).toBe(0);
  });

  test('removes a stale finished job whatever its status', async () => {
    const data = await published();
    const shard = ctx.keys.shardOf(data.delivery_id);
    await redis.zadd(ctx.keys.deliveriesCompleted(shard), 1, data.delivery_id);
    expect(await redis.hlForget(...forgetArgs(ctx.keys, shard, [], [data.delivery_id]))).toBe(1);
    expect(await redis.exists(ctx.keys.deliveryJob(data.delivery_id))).toBe(0);
  });
});

test('a job state read back is the one the scripts wrote', async () => {
  const data = await published();
  await record(data, 'failed', { attempt: attempt(1), nextAttemptAt: 123 });
  const state = await ctx.inFlight.stateOf(data);
  expect(state).toMatchObject({ status: 'failed', attempts: 1, cycle: 0, nextAttemptAt: 123 });
  expect(deliveryState(data, initialState(data)).status).toBe('pending');
  expect(JSON.parse(changeHead(data))).toMatchObject({ id: data.delivery_id });
});
