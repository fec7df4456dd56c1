import { waitFor } from '@hookline/core/testing';
import { endpointsAt } from './harness/api';
import { PREFIX, type Hookline } from './harness/hookline';
import { allKeys, queueCounts } from './harness/inspect';
import { checkLog, NOTHING_LEFT, untilForgotten, type Leftovers } from './harness/log';
import { Load } from './harness/load';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 7: Redis holds only what moves. After 100,000 deliveries have settled and the log has
// them, Redis holds no key of any delivery or event (no job, no not-yet-logged mark, no change
// left in a stream), its memory is back to what it was before the traffic, and once the retention
// (shortened to 60 s here) has passed, the idempotency records (they live min(24 h, retention))
// are gone too. Every delivery is in the log, once.
//
// FAULTS_DISK_DELIVERIES sets the number of deliveries, 100,000 by default, CI included: on the
// 2-core machine they are published and delivered in a minute or two (see the report line), and
// the whole scenario takes about three. A slower runner that cannot fit the suite in its budget
// can lower it there.

const DELIVERIES = Number(process.env.FAULTS_DISK_DELIVERIES ?? 100_000);
const RETENTION_MS = 60_000;
const ENDPOINTS = 10;
/** HOOKLINE_SHARDS: what is live grows with it (the keys of three queues per shard). */
const SHARDS = 1;
const EVENTS_PER_BATCH = 100; // × (10 endpoints + 1) writes = 1,100: one transaction per batch
/**
 * Published but not yet delivered, at most: the load follows the dispatchers, so that no delivery
 * waits long (the log skips a change of a delivery created longer ago than the retention).
 */
const BACKLOG = 2_000;
/** How far Redis's used memory may be above its level before the traffic, once all is settled. */
const MEMORY_SLACK_BYTES = 5 * 1024 * 1024;

interface Census {
  total: number;
  byKind: Record<string, number>;
  keys: Map<string, string[]>;
}

/** A key's hash tag: the catalog's `{hookline}` or a shard's `{hookline:<n>}`, then a colon. */
const TAG = new RegExp(`^\\{${PREFIX}(:\\d+)?\\}:`);

/** Every key in Redis, sorted into what it is (whichever tag, catalog or shard, it is under). */
async function census(h: Hookline): Promise<Census> {
  const byKind: Record<string, number> = {};
  const keys = new Map<string, string[]>();
  const all = await allKeys(h.redis);
  for (const key of all) {
    const tag = TAG.exec(key);
    const rest = tag ? key.slice(tag[0].length) : `(foreign) ${key}`;
    const kind = rest
      .replace(/^ep:ep_[0-9A-Z]{26}$/, 'endpoint')
      .replace(/^ep:ep_[0-9A-Z]{26}:health$/, 'endpoint health')
      .replace(/^evt:evt_[0-9A-Z]{26}$/, 'unlogged event')
      .replace(/^idem:[0-9a-f]{64}$/, 'idempotency record')
      .replace(/^rl:ep_[0-9A-Z]{26}(:res)?$/, 'rate limiter')
      .replace(/^(deliveries|fanout):whd_[0-9A-Z]{26}(:.*)?$/, '$1 job$2')
      .replace(/^(deliveries|fanout):fanout-evt_[0-9A-Z]{26}(:.*)?$/, '$1 job$2')
      .replace(/^idx:.*$/, 'endpoint index')
      .replace(/^(t:[^/]+\/)?fl$/, 'front lane')
      .replace(/^eps$/, 'endpoints')
      .replace(/^changes$/, 'change stream');
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    // Appended in place: copying the list for each key is quadratic, and with the 60,000 keys
    // of 30,000 deliveries it blocked this process (and the receiver in it) for over a minute.
    const ofKind = keys.get(kind);
    if (ofKind) ofKind.push(key);
    else keys.set(kind, [key]);
  }
  return { total: all.length, byKind, keys };
}

/** Live state Hookline needs for as long as its owner lives, whatever the traffic was. */
const LIVE = new Set([
  'endpoint',
  'endpoints',
  'endpoint index',
  'endpoint health',
  // The shard's change stream, empty once the log has every change, and its consumer group.
  'change stream',
  // BullMQ's per-queue keys: metadata, the id counter, the event stream (capped at 10,000), the
  // stalled-check throttle, the worker marker, and the (empty) state lists.
  'deliveries:meta',
  'deliveries:id',
  'deliveries:events',
  'deliveries:stalled-check',
  'deliveries:stalled',
  'deliveries:marker',
  'deliveries:wait',
  'deliveries:active',
  'deliveries:delayed',
  'deliveries:completed',
  'deliveries:failed',
  'fanout:meta',
  'fanout:id',
  'fanout:events',
  'fanout:stalled-check',
  'fanout:marker',
  // The operational events' queues, each shard's and the catalog's (no report is made in this
  // scenario: only their workers' keys).
  'operational:meta',
  'operational:id',
  'operational:events',
  'operational:stalled-check',
  'operational:marker',
]);
/** Keys that exist with a TTL and go by themselves. */
const EXPIRING = new Set(['rate limiter', 'front lane']);
/** Keys tied to one delivery or event: none may outlive its logging. */
const PER_DELIVERY = [
  'unlogged event',
  'deliveries job',
  'deliveries job:lock',
  'deliveries job:logs',
];
/** Keys tied to one publish: none may outlive the retention. */
const PER_PUBLISH = ['idempotency record'];

let receiver: Receiver;
let figures: Record<string, unknown> = {};
let logged: Census;
let after: Census;
let left: Leftovers;
let logProblems: unknown[] = [];
let delivered = 0;
let accepted = 0;
let idempotencyAtEnd: number[] = [];
const memory = { before: 0, atEnd: 0, logged: 0, afterRetention: 0 };

const usedMemory = async (h: Hookline) =>
  Number(/used_memory:(\d+)/.exec(await h.redis.info('memory'))?.[1]);

beforeAll(async () => {
  receiver = await Receiver.start();
  await withHookline(
    {
      dispatchers: 2,
      shards: SHARDS,
      env: { HOOKLINE_RETENTION: `${RETENTION_MS / 1000}s`, HOOKLINE_CONCURRENCY: '100' },
    },
    async (h) => {
      const endpointIds = await endpointsAt(h.api, receiver, ENDPOINTS);
      memory.before = await usedMemory(h);
      const started = Date.now();
      // Batches under an Idempotency-Key each, as a careful client publishes: their records are
      // part of what must not pile up.
      let n = 0;
      const load: Load = new Load(() => h.api, {
        batchSize: EVENTS_PER_BATCH,
        parallel: 2,
        event: (i) => ({ name: 'order.filled', data: { i } }),
        headers: () => ({ 'idempotency-key': `disk-${n++}` }),
        // Follow the dispatchers: publish while the backlog is short, up to the total.
        gate: () =>
          load.acceptedDeliveries < DELIVERIES &&
          load.acceptedDeliveries - receiver.delivered < BACKLOG,
      });
      await waitFor(() => load.acceptedDeliveries >= DELIVERIES, {
        timeoutMs: 600_000,
        intervalMs: 200,
        message: `${DELIVERIES} deliveries published`,
      });
      await load.stop();
      // The idempotency records as the last publish left them (the last ones are seconds old).
      const published = await census(h);
      idempotencyAtEnd = await Promise.all(
        (published.keys.get('idempotency record') ?? []).map((k) => h.redis.pttl(k)),
      );
      accepted = load.acceptedDeliveries;
      const expected = load.deliveryIds(endpointIds);
      await receiver.untilDelivered(expected, 300_000).catch(async (error: Error) => {
        // What each dispatcher's attempts came to (timeouts and connection failures open the
        // circuit), and where the jobs are: the why of a wait that long.
        const attempts = await Promise.all(
          h.dispatchers.map(async (d) => {
            const text = await fetch(`${d.url}/metrics`, { signal: AbortSignal.timeout(5_000) })
              .then((res) => res.text())
              .catch(() => '');
            return `${d.name}: ${text
              .split('\n')
              .filter((line) => line.startsWith('hookline_delivery_attempts_total'))
              .join(', ')}`;
          }),
        );
        throw new Error(
          `${error.message}; queue ${JSON.stringify(await queueCounts(h).catch(() => undefined))}; attempts ${attempts.join('; ')}`,
        );
      });
      const deliveredMs = Date.now() - started;
      delivered = receiver.delivered;
      const counts = await queueCounts(h);
      memory.atEnd = await usedMemory(h);
      const atEnd = await census(h);

      // Settled and logged: nothing of any delivery or event is left in Redis.
      await h.untilLogged(120_000);
      const loggedMs = Date.now() - started - deliveredMs;
      left = await untilForgotten(h);
      logged = await census(h);
      memory.logged = await usedMemory(h);
      logProblems = (
        await checkLog(
          h.log!.url,
          load.stats.accepted.map((p) => p.id),
          expected,
          () => ({ status: 'delivered', attempts: [1, 1] }),
        )
      ).problems.slice(0, 10);

      // The retention: the idempotency records were last written with their publishes.
      const settledAt = Date.now();
      await waitFor(
        async () => {
          const now = await census(h);
          return (
            PER_PUBLISH.every((kind) => !now.byKind[kind]) && Date.now() - settledAt > RETENTION_MS
          );
        },
        {
          timeoutMs: RETENTION_MS + 30_000,
          intervalMs: 1_000,
          message: 'idempotency records to expire',
        },
      ).catch(() => undefined); // judged by the tests below, with the census in hand
      after = await census(h);
      memory.afterRetention = await usedMemory(h);

      const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
      figures = {
        deliveries: accepted,
        publishAnswers: load.stats.statuses,
        deliveredSeconds: seconds(deliveredMs),
        deliveriesPerSecond: Math.round(accepted / (deliveredMs / 1000)),
        loggedSecondsAfterDelivered: seconds(loggedMs),
        queueAtEnd: counts,
        keysAtEnd: atEnd.total,
        keysLogged: logged.total,
        keysAfterRetention: after.total,
        afterRetention: after.byKind,
        redisUsedMiB: {
          before: mib(memory.before),
          atEnd: mib(memory.atEnd),
          logged: mib(memory.logged),
          afterRetention: mib(memory.afterRetention),
        },
      };
      report('redis-disk', figures);
    },
  );
}, 900_000);
afterAll(() => receiver?.close());

test('every one of the deliveries arrived', () => {
  expect(delivered).toBe(accepted);
  expect(accepted).toBeGreaterThanOrEqual(DELIVERIES);
});

test('the log holds every event and delivery once, delivered with its one attempt', () => {
  expect(logProblems).toEqual([]);
});

test('once logged, no job, not-yet-logged mark or change of any delivery or event is left in Redis', () => {
  expect(left).toEqual(NOTHING_LEFT);
  const none = Object.fromEntries(PER_DELIVERY.map((kind) => [kind, 0]));
  expect(Object.fromEntries(PER_DELIVERY.map((kind) => [kind, logged.byKind[kind] ?? 0]))).toEqual(
    none,
  );
});

test("Redis's memory is back within 5 MB of its level before the traffic once the retention has passed", () => {
  expect(memory.afterRetention - memory.before).toBeLessThanOrEqual(MEMORY_SLACK_BYTES);
});

test('idempotency records were written, each to expire within the retention, and are gone after it', () => {
  // Those of the last batches are there when the load stops; every one has a TTL.
  expect(idempotencyAtEnd.length).toBeGreaterThan(0);
  // -1 would be a record without a TTL; -2 is one that expired between the SCAN and the PTTL.
  expect(idempotencyAtEnd.filter((ttl) => ttl === -1 || ttl > RETENTION_MS)).toEqual([]);
  expect(after.byKind['idempotency record'] ?? 0).toBe(0);
});

test("every other key left is live state (endpoints, their indexes, the queues' own keys, the change stream) or expires by itself", () => {
  const unexplained = Object.keys(after.byKind).filter(
    (kind) =>
      !LIVE.has(kind) &&
      !EXPIRING.has(kind) &&
      !PER_DELIVERY.includes(kind) &&
      !PER_PUBLISH.includes(kind),
  );
  expect(unexplained).toEqual([]);
  // What is live does not grow with traffic: per endpoint its JSON and health, in the catalog;
  // per shard the keys of its three queues and its change stream; in the catalog its queue, the
  // endpoint list and the routing index.
  const live = Object.entries(after.byKind)
    .filter(([kind]) => LIVE.has(kind))
    .reduce((sum, [, n]) => sum + n, 0);
  expect(live).toBeLessThanOrEqual(ENDPOINTS * 2 + 26 * SHARDS + 10);
});
