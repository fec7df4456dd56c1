import { DeliveryStatus } from '@hookline/api';
import type { Redis } from 'ioredis';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor, idFloor, newId } from '../src/ids';
import { DELIVERY_MOVES, fromStatuses, type DeliveryMove } from '../src/lifecycle';
import { createRedis } from '../src/redis';
import { cleanupPrefix, testPrefix, TEST_REDIS, waitFor } from '../src/testing';

// Each Lua script (src/commands/) called directly with the keys and arguments its header names,
// against real Redis: the state is seeded with plain commands, so these tests hold the scripts
// to their headers, not to what the stores happen to pass today. The context takes its Redis
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

interface Seeded {
  id: string;
  endpointId: string;
  tenantId: string | null;
  /** The shard the delivery's keys are in (its id names it). */
  shard: number;
}

/**
 * A delivery in `status` as a publish and earlier moves leave it: its hash, its entry in the
 * endpoint's status set of its shard, in the shard's dead letters when dead, and its endpoint in
 * the catalog (unless `endpoint` is false: a deleted endpoint).
 */
async function seed(
  status: DeliveryStatus,
  options: { tenantId?: string | null; attempts?: number; endpoint?: boolean } = {},
): Promise<Seeded> {
  const { tenantId = null, attempts = 0, endpoint = true } = options;
  const eventId = newId('evt');
  const endpointId = newId('ep');
  const id = deliveryIdFor(eventId, endpointId);
  const k = ctx.keys;
  const shard = k.shardOf(id);
  await redis.hset(k.delivery(id), {
    event_id: eventId,
    endpoint_id: endpointId,
    tenant_id: tenantId ?? '',
    status,
    attempts,
    cycle: 0,
    next_attempt_at: '',
  });
  await redis.zadd(k.endpointDeliveries(shard, endpointId, status), 0, id);
  if (endpoint) await redis.set(k.endpoint(endpointId), JSON.stringify({ id: endpointId }));
  if (status === 'dead') {
    await redis.zadd(k.deadLetter(shard), 0, id);
    if (tenantId !== null) await redis.zadd(k.tenantDeadLetter(shard, tenantId), 0, id);
  }
  return { id, endpointId, tenantId, shard };
}

/** A delivery that does not exist, with its endpoint. */
async function unknownDelivery(): Promise<Seeded> {
  const id = newId('whd');
  const endpointId = newId('ep');
  await redis.set(ctx.keys.endpoint(endpointId), '{}');
  return { id, endpointId, tenantId: null, shard: ctx.keys.shardOf(id) };
}

/** The shard's dead letter of the delivery's tenant: the shard's own again for none. */
const tenantDeadLetterOf = (d: Seeded) =>
  d.tenantId === null
    ? ctx.keys.deadLetter(d.shard)
    : ctx.keys.tenantDeadLetter(d.shard, d.tenantId);

interface TransitionArgs {
  attempt?: string;
  nextAttemptAt?: number;
  now?: number;
  /** ARGV[8]: false once the endpoint is deleted. Default true. */
  endpointExists?: boolean;
  from?: readonly string[];
}

/** hlTransition with its three keys and ten arguments, in the order of transition-3.lua's header. */
async function transition(d: Seeded, to: DeliveryStatus, args: TransitionArgs = {}) {
  const k = ctx.keys;
  const now = args.now ?? Date.now();
  return redis.hlTransition(
    k.delivery(d.id),
    k.deadLetter(d.shard),
    tenantDeadLetterOf(d),
    d.id,
    k.endpointDeliveriesPrefix(d.shard, d.endpointId),
    to,
    args.attempt ?? '',
    args.nextAttemptAt === undefined ? '' : String(args.nextAttemptAt),
    now,
    RETENTION_MS,
    args.endpointExists === false ? '' : '1',
    idFloor('whd', now - RETENTION_MS),
    (args.from ?? []).join(','),
  );
}

/** hlHealth with its one key and three arguments, in the order of health-1.lua's header. */
function health(endpointId: string, outcome: 'success' | 'failure', now: number) {
  return redis.hlHealth(ctx.keys.endpointHealth(endpointId), outcome, now, DISABLE_AFTER_MS);
}

/** hlRequeue with its three keys and four arguments, in the order of requeue-3.lua's header. */
async function requeue(d: Seeded, allowed: readonly string[]) {
  const k = ctx.keys;
  return redis.hlRequeue(
    k.delivery(d.id),
    k.deadLetter(d.shard),
    tenantDeadLetterOf(d),
    d.id,
    k.endpointDeliveriesPrefix(d.shard, d.endpointId),
    allowed.join(','),
    RETENTION_MS,
  );
}

const status = (d: Seeded) => redis.hget(ctx.keys.delivery(d.id), 'status');
const inSet = async (key: string, id: string) => (await redis.zscore(key, id)) !== null;
const statusSet = (d: Seeded, s: DeliveryStatus) =>
  ctx.keys.endpointDeliveries(d.shard, d.endpointId, s);
const inStatusSet = (d: Seeded, s: DeliveryStatus) => inSet(statusSet(d, s), d.id);
const inDeadLetter = (d: Seeded) => inSet(ctx.keys.deadLetter(d.shard), d.id);
const inTenantDeadLetter = (d: Seeded, tenant: string) =>
  inSet(ctx.keys.tenantDeadLetter(d.shard, tenant), d.id);
/** Whether a key expires on its own (PTTL: -1 without expiry, -2 when missing). */
const expires = async (key: string) => (await redis.pttl(key)) > 0;

function movesVia(via: 'transition' | 'requeue') {
  return (Object.keys(DELIVERY_MOVES) as DeliveryMove[]).filter(
    (move) => DELIVERY_MOVES[move].via === via,
  );
}

const fromOf = (move: DeliveryMove): readonly DeliveryStatus[] => DELIVERY_MOVES[move].from;

/** Each move of the lifecycle with each status it starts from: [move, from, to]. */
function startsOf(via: 'transition' | 'requeue') {
  return movesVia(via).flatMap((move) =>
    fromOf(move).map((from) => [move, from, DELIVERY_MOVES[move].to] as const),
  );
}

/** Each move of the lifecycle with each status it may not start from: [move, status]. */
function refusalsOf(via: 'transition' | 'requeue') {
  return movesVia(via).flatMap((move) =>
    DeliveryStatus.options.filter((s) => !fromOf(move).includes(s)).map((s) => [move, s] as const),
  );
}

/** Moves made by a dispatcher's attempt: they record it. */
const WITH_ATTEMPT: readonly DeliveryMove[] = [
  'attempt-succeeded',
  'attempt-failed',
  'attempts-exhausted',
  'answered-gone',
];

const attemptJson = (n: number) =>
  JSON.stringify({ number: n, at: new Date().toISOString(), status_code: 500 });

describe('hlTransition (transition-3.lua)', () => {
  test.each(startsOf('transition'))('%s moves a %s delivery to %s', async (move, from, to) => {
    // The endpoint-deleted move happens once the endpoint is gone: the caller says so in ARGV[8].
    const endpointGone = move === 'endpoint-deleted';
    const tenant = `t-${newId('ep')}`;
    const d = await seed(from, { tenantId: tenant, attempts: 2, endpoint: !endpointGone });
    const now = Date.now();
    const attempt = WITH_ATTEMPT.includes(move) ? attemptJson(3) : undefined;
    const nextAttemptAt = to === 'failed' ? now + 5_000 : undefined;

    const verdict = await transition(d, to, {
      attempt,
      nextAttemptAt,
      now,
      endpointExists: !endpointGone,
      from: fromOf(move),
    });

    expect(verdict).toBe('ok');
    expect(await status(d)).toBe(to);
    const hash = await redis.hgetall(ctx.keys.delivery(d.id));
    expect(hash.next_attempt_at).toBe(nextAttemptAt === undefined ? '' : String(nextAttemptAt));
    expect(hash.attempts).toBe(attempt ? '3' : '2');
    // The attempt is recorded in the hash under its number; none of the earlier ones is touched.
    expect(Object.keys(hash).filter((f) => f.startsWith('att:'))).toEqual(attempt ? ['att:3'] : []);
    if (attempt) expect(hash['att:3']).toBe(attempt);
    expect(await redis.exists(ctx.keys.legacyAttempts(d.id))).toBe(0);
    const settles = from !== to && (to === 'dead' || to === 'delivered');
    expect(hash.settled_at).toBe(settles ? String(now) : undefined);
    expect(await expires(ctx.keys.delivery(d.id))).toBe(true);
    if (endpointGone) {
      // Nothing is written under an endpoint that no longer exists.
      expect(await redis.exists(statusSet(d, to))).toBe(0);
      expect(await inStatusSet(d, from)).toBe(true);
      expect(await inDeadLetter(d)).toBe(false);
      expect(await inTenantDeadLetter(d, tenant)).toBe(false);
    } else {
      expect(await inStatusSet(d, to)).toBe(true);
      if (from !== to) {
        expect(await inStatusSet(d, from)).toBe(false);
        expect(await expires(statusSet(d, to))).toBe(true);
      }
      expect(await inDeadLetter(d)).toBe(to === 'dead');
      expect(await inTenantDeadLetter(d, tenant)).toBe(to === 'dead');
    }
  });

  test.each(refusalsOf('transition'))(
    '%s refuses a %s delivery and changes nothing',
    async (move, current) => {
      const d = await seed(current, { attempts: 1 });
      const before = await redis.hgetall(ctx.keys.delivery(d.id));
      const to = DELIVERY_MOVES[move].to;

      const verdict = await transition(d, to, { attempt: attemptJson(2), from: fromOf(move) });

      expect(verdict).toBe('refused');
      expect(await redis.hgetall(ctx.keys.delivery(d.id))).toEqual(before);
      expect(await redis.pttl(ctx.keys.delivery(d.id))).toBe(-1);
      expect(await inStatusSet(d, current)).toBe(true);
      if (to !== current) expect(await redis.exists(statusSet(d, to))).toBe(0);
      expect(await inDeadLetter(d)).toBe(current === 'dead');
    },
  );

  test('answers gone for an unknown delivery and writes nothing', async () => {
    const d = await unknownDelivery();

    expect(await transition(d, 'dead', { attempt: attemptJson(1) })).toBe('gone');
    expect(await redis.exists(ctx.keys.delivery(d.id))).toBe(0);
    expect(await redis.exists(statusSet(d, 'dead'))).toBe(0);
    expect(await inDeadLetter(d)).toBe(false);
  });

  test('with no from statuses given, any status may move', async () => {
    const d = await seed('delivered');
    expect(await transition(d, 'dead')).toBe('ok');
    expect(await status(d)).toBe('dead');
  });

  test('an untenanted dead delivery joins the dead letter only', async () => {
    const d = await seed('failed');
    const other = `t-${newId('ep')}`;
    expect(await transition(d, 'dead')).toBe('ok');
    expect(await inDeadLetter(d)).toBe(true);
    expect(await inTenantDeadLetter(d, other)).toBe(false);
  });

  test("a tenanted dead delivery joins both the dead letter and its tenant's", async () => {
    const tenant = `t-${newId('ep')}`;
    const d = await seed('failed', { tenantId: tenant });
    expect(await transition(d, 'dead')).toBe('ok');
    expect(await inDeadLetter(d)).toBe(true);
    expect(await inTenantDeadLetter(d, tenant)).toBe(true);
  });

  test('every set a move adds to expires a retention after the addition', async () => {
    const tenant = `t-${newId('ep')}`;
    const d = await seed('pending', { tenantId: tenant });

    expect(await transition(d, 'failed', { attempt: attemptJson(1) })).toBe('ok');
    expect(await redis.pttl(statusSet(d, 'failed'))).toBeGreaterThan(0);
    expect(await redis.pttl(statusSet(d, 'failed'))).toBeLessThanOrEqual(RETENTION_MS);

    expect(await transition(d, 'dead', { attempt: attemptJson(2) })).toBe('ok');
    const sets = [
      statusSet(d, 'dead'),
      ctx.keys.deadLetter(d.shard),
      ctx.keys.tenantDeadLetter(d.shard, tenant),
      ctx.keys.delivery(d.id),
    ];
    for (const key of sets) {
      const ttl = await redis.pttl(key);
      expect([key, ttl > 0 && ttl <= RETENTION_MS]).toEqual([key, true]);
    }
  });

  test("with endpoint-exists '', a dead delivery is dead-lettered nowhere and joins no status set", async () => {
    const tenant = `t-${newId('ep')}`;
    const d = await seed('pending', { tenantId: tenant, endpoint: false });
    const attempt = attemptJson(1);
    expect(await transition(d, 'dead', { endpointExists: false, attempt })).toBe('ok');
    expect(await status(d)).toBe('dead');
    expect(await redis.exists(statusSet(d, 'dead'))).toBe(0);
    // The shard's dead letter is shared with other tests: only the tenant's is new here.
    expect(await inDeadLetter(d)).toBe(false);
    expect(await redis.exists(ctx.keys.tenantDeadLetter(d.shard, tenant))).toBe(0);
    // The delivery and its attempt are still recorded, and expire.
    expect(await redis.hget(ctx.keys.delivery(d.id), 'att:1')).toBe(attempt);
    expect(await expires(ctx.keys.delivery(d.id))).toBe(true);
  });

  test("with endpoint-exists '', the flag alone decides: an endpoint key still present is not read", async () => {
    const d = await seed('failed');
    expect(await transition(d, 'delivered', { endpointExists: false })).toBe('ok');
    expect(await status(d)).toBe('delivered');
    expect(await redis.exists(statusSet(d, 'delivered'))).toBe(0);
    expect(await inStatusSet(d, 'failed')).toBe(true);
  });

  test('dead again is no second settling: settled_at stays', async () => {
    const d = await seed('failed');
    const first = Date.now();
    await transition(d, 'dead', { now: first });
    await transition(d, 'dead', { now: first + 1_000 });
    expect(await redis.hget(ctx.keys.delivery(d.id), 'settled_at')).toBe(String(first));
  });

  test("a move leaves the endpoint's health alone (health-1.lua counts it)", async () => {
    const d = await seed('pending');
    const t0 = Date.now();
    const healthKey = ctx.keys.endpointHealth(d.endpointId);
    await redis.hset(healthKey, 'failing_since', String(t0));
    expect(
      await transition(d, 'delivered', { now: t0 + DISABLE_AFTER_MS * 2, attempt: attemptJson(1) }),
    ).toBe('ok');
    expect(await redis.hgetall(healthKey)).toEqual({ failing_since: String(t0) });
  });

  test('ids older than the retention leave the status set and the dead letters as one joins', async () => {
    const tenant = `t-${newId('ep')}`;
    const now = Date.now();
    const d = await seed('failed', { tenantId: tenant });
    const stale = newId('whd', now - RETENTION_MS - 60_000);
    const k = ctx.keys;
    await redis.zadd(statusSet(d, 'dead'), 0, stale);
    await redis.zadd(k.tenantDeadLetter(d.shard, tenant), 0, stale);
    await redis.zadd(k.deadLetter(d.shard), 0, stale);

    await transition(d, 'dead', { now });

    expect(await inSet(statusSet(d, 'dead'), stale)).toBe(false);
    expect(await inSet(k.tenantDeadLetter(d.shard, tenant), stale)).toBe(false);
    expect(await inSet(k.deadLetter(d.shard), stale)).toBe(false);
    expect(await inTenantDeadLetter(d, tenant)).toBe(true);
  });
});

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

describe('hlRequeue (requeue-3.lua)', () => {
  test.each(startsOf('requeue'))(
    '%s puts a %s delivery back to %s with a fresh attempt budget',
    async (move, from) => {
      const tenant = `t-${newId('ep')}`;
      const d = await seed(from, { tenantId: tenant, attempts: 4 });
      await redis.hset(ctx.keys.delivery(d.id), 'next_attempt_at', String(Date.now() + 60_000));
      expect(await inDeadLetter(d)).toBe(from === 'dead');
      expect(await inTenantDeadLetter(d, tenant)).toBe(from === 'dead');

      expect(await requeue(d, fromOf(move))).toBe('ok');

      const hash = await redis.hgetall(ctx.keys.delivery(d.id));
      expect(hash).toMatchObject({
        status: 'pending',
        cycle: '4',
        attempts: '4',
        next_attempt_at: '',
      });
      expect(await inStatusSet(d, 'pending')).toBe(true);
      if (from !== 'pending') {
        expect(await inStatusSet(d, from)).toBe(false);
        expect(await expires(statusSet(d, 'pending'))).toBe(true);
      }
      expect(await inDeadLetter(d)).toBe(false);
      expect(await inTenantDeadLetter(d, tenant)).toBe(false);
    },
  );

  test.each(refusalsOf('requeue'))(
    '%s answers the current status of a %s delivery and changes nothing',
    async (move, current) => {
      const d = await seed(current, { attempts: 2 });
      const before = await redis.hgetall(ctx.keys.delivery(d.id));
      expect(await requeue(d, fromOf(move))).toBe(current);
      expect(await redis.hgetall(ctx.keys.delivery(d.id))).toEqual(before);
      expect(await inStatusSet(d, current)).toBe(true);
      if (current !== 'pending') expect(await redis.exists(statusSet(d, 'pending'))).toBe(0);
      expect(await inDeadLetter(d)).toBe(current === 'dead');
    },
  );

  test('answers gone for an unknown delivery and writes nothing', async () => {
    const d = await unknownDelivery();
    expect(await requeue(d, ['dead'])).toBe('gone');
    expect(await redis.exists(ctx.keys.delivery(d.id))).toBe(0);
    expect(await redis.exists(statusSet(d, 'pending'))).toBe(0);
  });

  test('an untenanted delivery leaves the dead letter', async () => {
    const d = await seed('dead');
    expect(await inDeadLetter(d)).toBe(true);
    expect(await requeue(d, ['dead'])).toBe('ok');
    expect(await inDeadLetter(d)).toBe(false);
  });

  test('a tenanted delivery leaves both dead letters', async () => {
    const tenant = `t-${newId('ep')}`;
    const d = await seed('dead', { tenantId: tenant });
    expect(await requeue(d, fromStatuses('replay'))).toBe('ok');
    expect(await inDeadLetter(d)).toBe(false);
    expect(await inTenantDeadLetter(d, tenant)).toBe(false);
    expect(await inStatusSet(d, 'dead')).toBe(false);
  });

  test('the new cycle starts at the attempts made so far', async () => {
    const d = await seed('failed', { attempts: 7 });
    await redis.hset(ctx.keys.delivery(d.id), 'cycle', 3);
    expect(await requeue(d, fromStatuses('recover'))).toBe('ok');
    expect(await redis.hmget(ctx.keys.delivery(d.id), 'cycle', 'attempts')).toEqual(['7', '7']);
  });
});

describe('DeliveryStore.requeue (checks the endpoint before requeue-3.lua)', () => {
  const job = (d: Seeded) => ctx.queues.of(d.id).deliveries.getJob(d.id);

  test('a delivery whose endpoint is gone is not requeued, and stays dead-lettered', async () => {
    const tenant = `t-${newId('ep')}`;
    const d = await seed('dead', { tenantId: tenant, endpoint: false });
    expect(await ctx.deliveries.requeue([d.id], fromStatuses('replay'))).toEqual([]);
    expect(await status(d)).toBe('dead');
    expect(await inDeadLetter(d)).toBe(true);
    expect(await inTenantDeadLetter(d, tenant)).toBe(true);
    expect(await inStatusSet(d, 'pending')).toBe(false);
    expect(await job(d)).toBeUndefined();
  });

  test('a delivery whose endpoint exists is requeued and enqueued', async () => {
    const d = await seed('dead');
    expect(await ctx.deliveries.requeue([d.id], fromStatuses('replay'))).toEqual([d.id]);
    expect(await status(d)).toBe('pending');
    expect(await inDeadLetter(d)).toBe(false);
    expect((await job(d))?.id).toBe(d.id);
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

  /** hlPutEndpoint with its four keys and seven arguments, in the order of put-endpoint-4.lua's header. */
  const put = (
    id: string,
    tenant: string | null,
    expected: string,
    next: string,
    leave: string[] = [],
    join: string[] = [],
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

  test('an untenanted endpoint never touches the tenants set', async () => {
    const id = newId('ep');
    const before = await redis.zcard(ctx.keys.tenants);
    await put(id, null, '', '{}');
    await put(id, null, '{}', '');
    expect(await redis.zcard(ctx.keys.tenants)).toBe(before);
  });
});
