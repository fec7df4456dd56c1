import type { Published, PublishEvent } from '@hookline/api';
import { waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver, type Received } from './receiver';
import { spawnService, type Service } from './services';

// Ordered endpoints through real processes (the built dist/main.js of a producer and of
// dispatchers, on the suite's Redis, a Cluster in CI): the deliveries of one line go one at a
// time in the order the producer accepted their events, each request numbered by
// `webhook-sequence`, while the receiver fails now and then, sometimes never answers, and
// dispatchers are killed with SIGKILL under them.
//
// 10,000 events over 200 resources (50 a resource), published in 10 batches of 1,000 one after
// the other while 3 dispatchers deliver; two of them SIGKILLed, at 30% and at 60% of the events
// acknowledged, one replacement started. The receiver answers 500 to one request in ten and
// leaves a few (at most HANGS, all in the first half) unanswered past the dispatcher's response
// timeout: a process's sender waits 15 s (SenderOptions' default; no setting changes it), so
// each hang holds its line that long. Retries are 20 ms apart, 20 of them: nothing dies.

const KEY = 'ordered-processes-key-'.padEnd(40, 'x');
const RESOURCES = 200;
const EVENTS = 10_000;
const BATCH = 1_000;
const FAILURE_RATE = 0.1;
const HANG_RATE = 0.002;
const HANGS = 5;
const RETRY_SCHEDULE = Array.from({ length: 20 }, () => '20ms').join(',');

/** A seeded PRNG (mulberry32): ORDERED_SEED gives a failing run's receiver the same rolls again. */
function seededRandom(): { random: () => number; seed: number } {
  const seed = Number(process.env.ORDERED_SEED ?? Math.floor(Math.random() * 2 ** 31));
  let a = seed;
  return {
    seed,
    random: () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** One request the receiver answered (or left hanging), in the order it got them. */
interface Answered {
  line: string;
  index: number;
  eventId: string;
  deliveryId: string;
  sequence: string | undefined;
  attempt: string | undefined;
  outcome: 'acknowledged' | 'failed' | 'hung';
  at: number;
}

function answeredOf(received: Received, line: string, outcome: Answered['outcome']): Answered {
  const event = JSON.parse(received.body) as { id: string; data: { index: number } };
  const header = (name: string) => {
    const value = received.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    line,
    index: event.data.index,
    eventId: event.id,
    deliveryId: String(received.headers['webhook-id']),
    sequence: header('webhook-sequence'),
    attempt: header('webhook-attempt'),
    outcome,
    at: received.at,
  };
}

/**
 * What the order of `answered` breaks, line by line: a request for an index that arrived before
 * the index before it was acknowledged (the next must start only after the previous is
 * delivered), one acknowledged before it (the weaker rule, counted apart), a `webhook-sequence`
 * other than index + 1; and each line's first index never acknowledged.
 */
function lineOrder(answered: readonly Answered[]) {
  const acknowledged = new Map<string, Set<number>>();
  const next = new Map<string, number>();
  const startedEarly: string[] = [];
  const acknowledgedEarly: string[] = [];
  const wrongSequence: string[] = [];
  for (const a of answered) {
    const first = next.get(a.line) ?? 0;
    const what = `${a.line} #${a.index} (${a.outcome}, while #${first} was not yet acknowledged)`;
    if (a.index > first) startedEarly.push(what);
    if (a.sequence !== String(a.index + 1))
      wrongSequence.push(`${a.line} #${a.index}: webhook-sequence ${a.sequence ?? 'absent'}`);
    if (a.outcome !== 'acknowledged') continue;
    if (a.index > first) acknowledgedEarly.push(what);
    const set = acknowledged.get(a.line) ?? new Set<number>();
    acknowledged.set(a.line, set.add(a.index));
    let n = first;
    while (set.has(n)) n += 1;
    next.set(a.line, n);
  }
  return { startedEarly, acknowledgedEarly, wrongSequence, next };
}

/** Where `actual` first departs from `expected`, with a few items either side; undefined if nowhere. */
function firstDifference<T>(actual: readonly T[], expected: readonly T[]): string | undefined {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (actual[i] === expected[i]) continue;
    const around = (list: readonly T[]) => JSON.stringify(list.slice(Math.max(0, i - 3), i + 4));
    return `at ${i} of ${actual.length} (expected ${expected.length}): got …${around(actual)}…, expected …${around(expected)}…`;
  }
  return undefined;
}

/** `waitFor`, failing with what `state` says at the time it gives up. */
async function waitSaying(condition: () => boolean, timeoutMs: number, state: () => string) {
  try {
    await waitFor(condition, { timeoutMs, intervalMs: 50 });
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${state()}`, { cause: error });
  }
}

let h: Harness;
const services: Service[] = [];
const receivers: Receiver[] = [];

function processEnv(): Record<string, string> {
  return h.processEnv({ HOOKLINE_API_KEYS: KEY, HOOKLINE_RETRY_SCHEDULE: RETRY_SCHEDULE });
}

async function start(name: 'producer' | 'dispatcher'): Promise<Service> {
  const service = await spawnService(name, processEnv());
  services.push(service);
  return service;
}

async function api<T>(producer: Service, path: string, body: unknown): Promise<T> {
  const res = await fetch(producer.url(path), {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201 && res.status !== 202)
    throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Publishes `events` in batches of `size`, each after the one before is answered. */
async function publishInOrder(producer: Service, events: PublishEvent[], size: number) {
  const published: Published[] = [];
  for (let i = 0; i < events.length; i += size) {
    const batch = await api<{ data: Published[] }>(producer, '/v1/events/batch', {
      events: events.slice(i, i + size),
    });
    published.push(...batch.data);
  }
  return published;
}

beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  for (const s of services.splice(0)) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await h.close();
});

test('ordered by resource through 3 dispatcher processes, two SIGKILLed, a receiver that fails and hangs: each resource acknowledged in publish order, every event, sequence = index + 1', async () => {
  const { random, seed } = seededRandom();
  const answered: Answered[] = [];
  let hangs = 0;
  const acknowledged = new Set<string>();
  const receiver = await Receiver.start((req, res, received) => {
    const line = (JSON.parse(received.body) as { resource: { id: string } }).resource.id;
    const roll = random();
    if (hangs < HANGS && acknowledged.size < EVENTS / 2 && roll < HANG_RATE) {
      // Never answered: the dispatcher gives up at its response timeout and closes the socket.
      hangs += 1;
      answered.push(answeredOf(received, line, 'hung'));
      return;
    }
    if (roll < FAILURE_RATE) {
      answered.push(answeredOf(received, line, 'failed'));
      res.writeHead(500).end();
      return;
    }
    answered.push(answeredOf(received, line, 'acknowledged'));
    acknowledged.add(String(req.headers['webhook-id']));
    res.writeHead(204).end();
  });
  receivers.push(receiver);

  const [producer, ...dispatchers] = await Promise.all([
    start('producer'),
    start('dispatcher'),
    start('dispatcher'),
    start('dispatcher'),
  ]);
  const endpoint = await api<{ id: string }>(producer, '/v1/endpoints', {
    url: receiver.url(),
    ordering: { key: 'resource' },
  });
  expect(endpoint.id).toBeDefined();

  const started = Date.now();
  // Event k is resource k % RESOURCES's index ⌊k / RESOURCES⌋: every batch advances every line.
  const events: PublishEvent[] = Array.from({ length: EVENTS }, (_, k) => ({
    name: 'order.updated',
    data: { index: Math.floor(k / RESOURCES) },
    resource: { id: `ord_${k % RESOURCES}`, resource_type: 'order' },
  }));
  const publishing = publishInOrder(producer, events, BATCH);
  // Awaited after the kills; a failure before then is reported there, not as unhandled.
  publishing.catch(() => undefined);

  const kills: { at: number; acknowledged: number }[] = [];
  for (const [share, victim] of [
    [0.3, dispatchers[0]],
    [0.6, dispatchers[1]],
  ] as const) {
    await waitFor(() => acknowledged.size >= EVENTS * share, {
      timeoutMs: 90_000,
      intervalMs: 5,
      message: `${EVENTS * share} events acknowledged before a kill`,
    });
    victim.child.kill('SIGKILL');
    await victim.exited;
    kills.push({ at: Date.now() - started, acknowledged: acknowledged.size });
    // One replacement, as an orchestrator would start; the third original keeps running.
    if (kills.length === 1) await start('dispatcher');
  }
  const published = await publishing;
  expect(published).toHaveLength(EVENTS);
  expect(published.every((p) => p.deliveries === 1)).toBe(true);

  await waitSaying(
    () => acknowledged.size === EVENTS,
    120_000,
    () => `every event acknowledged: ${acknowledged.size} of ${EVENTS} (seed ${seed})`,
  );
  const { startedEarly, acknowledgedEarly, wrongSequence, next } = lineOrder(answered);
  console.info(
    `ordered by resource: ${EVENTS} events over ${RESOURCES} resources in ${Date.now() - started} ms; ` +
      `${answered.length} requests, ${answered.filter((a) => a.outcome === 'failed').length} answered 500, ` +
      `${hangs} left hanging, ${answered.filter((a) => a.outcome === 'acknowledged').length - EVENTS} acknowledged again; ` +
      `kills ${JSON.stringify(kills)}; seed ${seed} (ORDERED_SEED gives the receiver the same rolls)`,
  );
  const some = (list: string[]) => ({ count: list.length, first: list.slice(0, 10) });
  expect(some(acknowledgedEarly)).toEqual(some([]));
  expect(some(startedEarly)).toEqual(some([]));
  expect(some(wrongSequence)).toEqual(some([]));
  // Every line acknowledged through its last index.
  expect(next.size).toBe(RESOURCES);
  expect([...next.values()].every((n) => n === EVENTS / RESOURCES)).toBe(true);
  // Every event the publishes created was acknowledged, each in one delivery, and nothing else arrived.
  const expected = new Set(published.map((p) => p.id));
  const arrived = new Set(answered.map((a) => a.eventId));
  expect(some([...expected].filter((id) => !arrived.has(id)))).toEqual(some([]));
  expect(some([...arrived].filter((id) => !expected.has(id)))).toEqual(some([]));
  expect(new Set(answered.map((a) => a.deliveryId)).size).toBe(EVENTS);
}, 240_000);

test('ordered by endpoint: a request failed 3 times holds back every later one until it succeeds, and all 300 go in publish order', async () => {
  const COUNT = 300;
  const HELD = 4;
  const answered: Answered[] = [];
  let failures = 0;
  const receiver = await Receiver.start((_req, res, received) => {
    const index = (JSON.parse(received.body) as { data: { index: number } }).data.index;
    if (index === HELD && failures < 3) {
      failures += 1;
      answered.push(answeredOf(received, 'endpoint', 'failed'));
      res.writeHead(500).end();
      return;
    }
    answered.push(answeredOf(received, 'endpoint', 'acknowledged'));
    res.writeHead(204).end();
  });
  receivers.push(receiver);
  const [producer] = await Promise.all([
    start('producer'),
    start('dispatcher'),
    start('dispatcher'),
  ]);
  await api(producer, '/v1/endpoints', { url: receiver.url(), ordering: { key: 'endpoint' } });

  const events: PublishEvent[] = Array.from({ length: COUNT }, (_, index) => ({
    name: 'order.updated',
    data: { index },
  }));
  await publishInOrder(producer, events, 50);
  await waitSaying(
    () => answered.filter((a) => a.outcome === 'acknowledged').length >= COUNT,
    60_000,
    () => `all ${COUNT} acknowledged: ${answered.length} requests so far`,
  );

  const indexes = Array.from({ length: COUNT }, (_, i) => i);
  indexes.splice(HELD, 0, HELD, HELD, HELD);
  expect(
    firstDifference(
      answered.map((a) => a.index),
      indexes,
    ),
  ).toBeUndefined();
  expect(
    firstDifference(
      answered.map((a) => a.sequence),
      indexes.map((i) => String(i + 1)),
    ),
  ).toBeUndefined();
  const held = answered.filter((a) => a.index === HELD);
  expect(held.map((a) => [a.outcome, a.attempt])).toEqual([
    ['failed', '1'],
    ['failed', '2'],
    ['failed', '3'],
    ['acknowledged', '4'],
  ]);
  const after = answered.find((a) => a.index === HELD + 1)!;
  expect(after.at).toBeGreaterThanOrEqual(held[3]!.at);
  expect(lineOrder(answered).startedEarly).toEqual([]);
}, 120_000);
