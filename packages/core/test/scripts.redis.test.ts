import type { Redis } from 'ioredis';
import { createContext, type HooklineContext } from '../src/context';
import { newId } from '../src/ids';
import { createRedis } from '../src/redis/redis';
import { cleanupPrefix, testPrefix, TEST_REDIS, waitFor } from '../src/testing';

// The catalog's Lua scripts (src/commands/) called directly with the keys and arguments their
// headers name, against real Redis: the state is seeded with plain commands, so these tests hold
// the scripts to their headers, not to what the stores happen to pass today. The in-flight
// scripts have theirs in in-flight-scripts.redis.test.ts. The context takes its Redis
// settings from TEST_REDIS, so the file runs against a Redis Cluster too: every call's keys come
// from the key functions, so they share one hash tag (a delivery's shard, or the catalog).

const prefix = testPrefix('scripts');
const RETENTION_MS = 3_600_000;
const DISABLE_AFTER_MS = 60_000;
let ctx: HooklineContext;
let redis: Redis;

beforeAll(async () => {
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: RETENTION_MS,
      disableAfterMs: DISABLE_AFTER_MS,
      // The log is never reached here (its pool connects on first use).
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

const inSet = async (key: string, id: string) => (await redis.zscore(key, id)) !== null;

/** hlHealth with its one key and three arguments, in the order of health-1.lua's header. */
function health(endpointId: string, outcome: 'success' | 'failure', now: number) {
  return redis.hlHealth(ctx.keys.endpointHealth(endpointId), outcome, now, DISABLE_AFTER_MS);
}

describe('hlHealth (health-1.lua)', () => {
  const failingSince = (endpointId: string) =>
    redis.hget(ctx.keys.endpointHealth(endpointId), 'failing_since');

  test('a success clears failing_since and answers ok', async () => {
    const endpointId = newId('ep');
    const t0 = Date.now();
    await redis.hset(ctx.keys.endpointHealth(endpointId), 'failing_since', String(t0));
    expect(await health(endpointId, 'success', t0 + 1_000)).toBe('ok');
    expect(await failingSince(endpointId)).toBeNull();
  });

  test('a success without a failure streak answers ok and writes nothing', async () => {
    const endpointId = newId('ep');
    expect(await health(endpointId, 'success', Date.now())).toBe('ok');
    expect(await redis.exists(ctx.keys.endpointHealth(endpointId))).toBe(0);
  });

  test('the first failure sets failing_since to now and answers ok', async () => {
    const endpointId = newId('ep');
    const t0 = Date.now();
    expect(await health(endpointId, 'failure', t0)).toBe('ok');
    expect(await failingSince(endpointId)).toBe(String(t0));
  });

  test('later failures do not reset failing_since', async () => {
    const endpointId = newId('ep');
    const t0 = Date.now();
    await health(endpointId, 'failure', t0);
    expect(await health(endpointId, 'failure', t0 + 1_000)).toBe('ok');
    expect(await health(endpointId, 'failure', t0 + 2_000)).toBe('ok');
    expect(await failingSince(endpointId)).toBe(String(t0));
  });

  test('answers disable once the endpoint has failed for disable-after, and a success resets it', async () => {
    const endpointId = newId('ep');
    const t0 = Date.now();

    expect(await health(endpointId, 'failure', t0)).toBe('ok');
    expect(await health(endpointId, 'failure', t0 + DISABLE_AFTER_MS - 1)).toBe('ok');
    expect(await health(endpointId, 'failure', t0 + DISABLE_AFTER_MS)).toBe('disable');
    expect(await health(endpointId, 'failure', t0 + DISABLE_AFTER_MS * 2)).toBe('disable');
    expect(await failingSince(endpointId)).toBe(String(t0));

    const t1 = t0 + DISABLE_AFTER_MS * 2 + 1;
    expect(await health(endpointId, 'success', t1)).toBe('ok');
    expect(await failingSince(endpointId)).toBeNull();
    // A new streak starts at the next failure.
    expect(await health(endpointId, 'failure', t1 + 1)).toBe('ok');
    expect(await failingSince(endpointId)).toBe(String(t1 + 1));
  });
});

describe('hlRateLimit (rate-limit-2.lua)', () => {
  const INTERVAL_MS = 100;
  const limiter = () => {
    const endpointId = newId('ep');
    return {
      tat: ctx.keys.rateLimit(endpointId),
      reservations: ctx.keys.rateLimitReservations(endpointId),
    };
  };
  const ask = (l: ReturnType<typeof limiter>, now: number, job: string) =>
    redis.hlRateLimit(l.tat, l.reservations, now, INTERVAL_MS, job);

  test('the first delivery goes now and takes the slot', async () => {
    const l = limiter();
    const now = Date.now();
    expect(await ask(l, now, 'a')).toBe(0);
    expect(await redis.get(l.tat)).toBe(String(now + INTERVAL_MS));
    expect(await redis.pttl(l.tat)).toBeGreaterThan(0);
    expect(await redis.exists(l.reservations)).toBe(0);
  });

  test('a delivery within the interval waits for the next free slot, and reserves it', async () => {
    const l = limiter();
    const now = Date.now();
    await ask(l, now, 'a');
    expect(await ask(l, now, 'b')).toBe(INTERVAL_MS);
    expect(await redis.hget(l.reservations, 'b')).toBe(String(now + INTERVAL_MS));
    // The next one gets the slot after: waiting jobs are spread, not piled on one slot.
    expect(await ask(l, now, 'c')).toBe(2 * INTERVAL_MS);
    expect(await redis.pttl(l.reservations)).toBeGreaterThan(0);
  });

  test('a job coming back at its reserved slot goes, and its reservation is spent', async () => {
    const l = limiter();
    const now = Date.now();
    await ask(l, now, 'a');
    await ask(l, now, 'b');
    expect(await ask(l, now + INTERVAL_MS, 'b')).toBe(0);
    expect(await redis.hexists(l.reservations, 'b')).toBe(0);
    // Its slot was not given to anyone else meanwhile: the next asker queues behind it.
    expect(await ask(l, now + INTERVAL_MS, 'c')).toBe(INTERVAL_MS);
  });

  test('a job coming back a few ms before its slot goes now', async () => {
    const l = limiter();
    const now = Date.now();
    await ask(l, now, 'a');
    await ask(l, now, 'b');
    expect(await ask(l, now + INTERVAL_MS - 10, 'b')).toBe(0);
  });

  test('a job coming back well before its slot is told the rest of the wait', async () => {
    const l = limiter();
    const now = Date.now();
    await ask(l, now, 'a');
    await ask(l, now, 'b');
    await ask(l, now, 'c');
    expect(await ask(l, now + 10, 'c')).toBe(2 * INTERVAL_MS - 10);
  });
});

describe('hlTenantBudget (tenant-budget-1.lua)', () => {
  // 10 a minute: one unit back every 6 s, 10 at most at once.
  const INTERVAL_MS = 6_000;
  const CAPACITY = 10;
  const bucket = () => ctx.keys.tenantBudget(`t-${newId('ep')}`, 'test_sends');
  const take = (key: string, now: number, wanted: number) =>
    redis.hlTenantBudget(key, now, INTERVAL_MS, CAPACITY, wanted);

  test('a full bucket gives its capacity at once, then nothing, and says when one is back', async () => {
    const key = bucket();
    const now = Date.now();
    for (let i = 0; i < CAPACITY; i++) expect(await take(key, now, 1)).toEqual([1, 0]);
    expect(await take(key, now, 1)).toEqual([0, INTERVAL_MS]);
    expect(await take(key, now + 1_000, 1)).toEqual([0, INTERVAL_MS - 1_000]);
  });

  test('a refusal takes nothing: the unit it waited for is there at the time it gave', async () => {
    const key = bucket();
    const now = Date.now();
    await take(key, now, CAPACITY);
    const [, wait] = await take(key, now, 1);
    expect(await take(key, now + wait - 1, 1)).toEqual([0, 1]);
    expect(await take(key, now + wait, 1)).toEqual([1, 0]);
  });

  test('units come back one per interval, never beyond the capacity', async () => {
    const key = bucket();
    const now = Date.now();
    await take(key, now, CAPACITY);
    expect(await take(key, now + 3 * INTERVAL_MS, CAPACITY)).toEqual([3, 0]);
    // Idle for an hour: full again, and no fuller.
    expect(await take(key, now + 3_600_000, CAPACITY + 5)).toEqual([CAPACITY, 0]);
  });

  test('a request for more than the bucket holds takes what is there', async () => {
    const key = bucket();
    const now = Date.now();
    expect(await take(key, now, 4)).toEqual([4, 0]);
    expect(await take(key, now, 50)).toEqual([6, 0]);
    expect(await take(key, now, 50)).toEqual([0, INTERVAL_MS]);
  });

  test('the bucket lives only while it is not full', async () => {
    const key = bucket();
    const now = Date.now();
    await take(key, now, 2);
    expect(await redis.get(key)).toBe(String(now + 2 * INTERVAL_MS));
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * INTERVAL_MS);
  });

  test("tenants' buckets are apart", async () => {
    const [a, b] = [bucket(), bucket()];
    const now = Date.now();
    await take(a, now, CAPACITY);
    expect(await take(b, now, 1)).toEqual([1, 0]);
  });
});

describe('hlPutEndpoint (put-endpoint-4.lua)', () => {
  let subscriber: Redis;
  const announced: string[] = [];

  beforeAll(async () => {
    // A connection of its own (a subscribed connection can send nothing else), to the same
    // Redis or Redis Cluster: a cluster passes every PUBLISH to every node.
    subscriber = createRedis(
      { url: TEST_REDIS.redisUrl, cluster: TEST_REDIS.redisCluster },
      'worker',
    );
    subscriber.on('message', (_channel: string, id: string) => announced.push(id));
    await subscriber.subscribe(ctx.keys.endpointChanges);
  });
  afterAll(() => subscriber.disconnect());

  /** hlPutEndpoint with its four keys and eight arguments, in the order of put-endpoint-4.lua's header. */
  const put = (
    id: string,
    tenant: string | null,
    expected: string,
    next: string,
    leave: string[] = [],
    join: string[] = [],
    maxEndpoints = '',
  ) => {
    const k = ctx.keys;
    return redis.hlPutEndpoint(
      k.endpoint(id),
      k.endpoints,
      k.tenants,
      tenant === null ? k.endpoints : k.tenantEndpoints(tenant),
      id,
      expected,
      next,
      JSON.stringify(leave),
      JSON.stringify(join),
      tenant ?? '',
      k.endpointChanges,
      maxEndpoints,
    );
  };
  const announcedOf = (id: string) => waitFor(() => announced.includes(id), { message: id });

  test('creates an endpoint, lists it, joins its index sets and announces it', async () => {
    const id = newId('ep');
    const index = ctx.keys.indexExact(null, `order.${id}`);
    expect(await put(id, null, '', '{"v":1}', [], [index])).toBe(1);
    expect(await redis.get(ctx.keys.endpoint(id))).toBe('{"v":1}');
    expect(await inSet(ctx.keys.endpoints, id)).toBe(true);
    expect(await redis.sismember(index, id)).toBe(1);
    await announcedOf(id);
  });

  test('refuses a write whose expected value is stale, changes nothing and announces nothing', async () => {
    const id = newId('ep');
    const index = ctx.keys.indexExact(null, `order.${id}`);
    const moved = ctx.keys.indexExact(null, `billing.${id}`);
    await put(id, null, '', '{"v":1}', [], [index]);
    await announcedOf(id);
    const before = announced.length;

    expect(await put(id, null, '{"v":0}', '{"v":2}', [index], [moved])).toBe(0);
    expect(await put(id, null, '', '{"v":2}', [index], [moved])).toBe(0);
    expect(await redis.get(ctx.keys.endpoint(id))).toBe('{"v":1}');
    expect(await redis.sismember(index, id)).toBe(1);
    expect(await redis.sismember(moved, id)).toBe(0);

    // Messages on one channel arrive in order: had a refusal published, it would come first.
    const marker = newId('ep');
    await put(marker, null, '', '{}');
    await announcedOf(marker);
    expect(announced.slice(before)).toEqual([marker]);
  });

  test('an update moves the endpoint between index sets', async () => {
    const id = newId('ep');
    const index = ctx.keys.indexExact(null, `order.${id}`);
    const moved = ctx.keys.indexPrefix(null, `billing.${id}.`);
    await put(id, null, '', '{"v":1}', [], [index]);
    expect(await put(id, null, '{"v":1}', '{"v":2}', [index], [moved])).toBe(1);
    expect(await redis.get(ctx.keys.endpoint(id))).toBe('{"v":2}');
    expect(await redis.sismember(index, id)).toBe(0);
    expect(await redis.sismember(moved, id)).toBe(1);
  });

  test('a delete removes the endpoint, its listing and its index entries, and announces it', async () => {
    const id = newId('ep');
    const index = ctx.keys.indexAll(null);
    await put(id, null, '', '{"v":1}', [], [index]);
    await announcedOf(id);
    announced.length = 0;

    expect(await put(id, null, '{"v":1}', '', [index])).toBe(1);
    expect(await redis.exists(ctx.keys.endpoint(id))).toBe(0);
    expect(await inSet(ctx.keys.endpoints, id)).toBe(false);
    expect(await redis.sismember(index, id)).toBe(0);
    await announcedOf(id);
  });

  test('a tenant joins the tenants set with its first endpoint and leaves it with its last', async () => {
    const tenant = `t-${newId('ep')}`;
    const [a, b] = [newId('ep'), newId('ep')];
    const k = ctx.keys;

    await put(a, tenant, '', '{"a":1}');
    expect(await inSet(k.tenants, tenant)).toBe(true);
    expect(await redis.zrange(k.tenantEndpoints(tenant), 0, -1)).toEqual([a]);
    expect(await inSet(k.endpoints, a)).toBe(true);
    await put(b, tenant, '', '{"b":1}');

    await put(a, tenant, '{"a":1}', '');
    expect(await inSet(k.tenants, tenant)).toBe(true);
    expect(await redis.zrange(k.tenantEndpoints(tenant), 0, -1)).toEqual([b]);

    await put(b, tenant, '{"b":1}', '');
    expect(await inSet(k.tenants, tenant)).toBe(false);
    expect(await redis.exists(k.tenantEndpoints(tenant))).toBe(0);
    expect(await inSet(k.endpoints, b)).toBe(false);
  });

  test('refuses to create a tenant endpoint past the limit: -1, nothing written or announced', async () => {
    const tenant = `t-${newId('ep')}`;
    const [a, b, c] = [newId('ep'), newId('ep'), newId('ep')];
    const k = ctx.keys;
    expect(await put(a, tenant, '', '{"a":1}', [], [], '2')).toBe(1);
    expect(await put(b, tenant, '', '{"b":1}', [], [], '2')).toBe(1);
    await announcedOf(b);
    const before = announced.length;
    const index = k.indexAll(tenant);

    expect(await put(c, tenant, '', '{"c":1}', [], [index], '2')).toBe(-1);
    expect(await redis.exists(k.endpoint(c))).toBe(0);
    expect(await inSet(k.endpoints, c)).toBe(false);
    expect(await redis.zrange(k.tenantEndpoints(tenant), 0, -1)).toEqual([a, b].sort());
    expect(await redis.sismember(index, c)).toBe(0);
    const marker = newId('ep');
    await put(marker, null, '', '{}');
    await announcedOf(marker);
    expect(announced.slice(before)).toEqual([marker]);
  });

  test('the limit binds creation only: updates and deletes at the limit go through', async () => {
    const tenant = `t-${newId('ep')}`;
    const [a, b] = [newId('ep'), newId('ep')];
    expect(await put(a, tenant, '', '{"a":1}', [], [], '1')).toBe(1);
    expect(await put(a, tenant, '{"a":1}', '{"a":2}', [], [], '1')).toBe(1);
    expect(await put(b, tenant, '', '{"b":1}', [], [], '1')).toBe(-1);
    expect(await put(a, tenant, '{"a":2}', '', [], [], '1')).toBe(1);
    expect(await put(b, tenant, '', '{"b":1}', [], [], '1')).toBe(1);
  });

  test('untenanted endpoints have no limit', async () => {
    const id = newId('ep');
    expect(await put(id, null, '', '{}', [], [], '0')).toBe(1);
    await put(id, null, '{}', '');
  });

  test('an untenanted endpoint never touches the tenants set', async () => {
    const id = newId('ep');
    const before = await redis.zcard(ctx.keys.tenants);
    await put(id, null, '', '{}');
    await put(id, null, '{}', '');
    expect(await redis.zcard(ctx.keys.tenants)).toBe(before);
  });
});
