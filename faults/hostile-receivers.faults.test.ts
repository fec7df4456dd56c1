import { createHash } from 'node:crypto';
import { waitFor } from '@hookline/core/testing';
import { mapLimit, type DeliveryView, type EventInput } from './harness/api';
import { MemoryWatch } from './harness/hookline';
import { jobState, queueCounts, statuses } from './harness/inspect';
import { expectLoggedOnce, type Expected } from './harness/log';
import { publishAll } from './harness/load';
import { Receiver, type Behaviour } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 5: receivers that misbehave in every way a receiver can. Each request is answered
// by a behaviour that is a pure function of (endpoint, Webhook-Id, attempt), so the test knows for
// every delivery how many attempts it must take, how each must be recorded, and how it must end:
// `delivered` or `dead`, nothing left pending. Meanwhile, dispatcher memory must stay bounded
// however much the receivers send back.

const RETRY_SCHEDULE = '100ms,200ms';
const MAX_ATTEMPTS = 3; // entries + 1

/** A stable number in [0, 1) for one attempt of one delivery. */
function roll(id: string, attempt: number): number {
  return createHash('sha256').update(`${id}:${attempt}`).digest().readUInt32BE(0) / 2 ** 32;
}

// Proportions are over the whole run (about 900 deliveries): 10% of requests to the bulk of the
// endpoints are 500s and 5% are resets; 5% of all deliveries hang past the response timeout. The
// hangs go to endpoints of their own, five each: more concurrent timeouts than that on one
// endpoint shut it off for minutes (a circuit-breaker escalation seen in an earlier version: every
// failure past the fifth doubles the cool-down, 25 at once give 5 min), which is a bug to fix,
// not a behaviour for this scenario to wait out.
const ENDPOINTS: Record<
  string,
  { deliveries: number; behave: (id: string, attempt: number) => Behaviour }
> = {
  ...Object.fromEntries(
    [0, 1, 2, 3].map((n) => [
      `/mixed${n}`,
      {
        deliveries: 200,
        behave: (id: string, attempt: number): Behaviour => {
          const r = roll(id, attempt);
          if (r < 0.1) return { kind: 'status', status: 500 };
          if (r < 0.15) return { kind: 'reset' };
          return { kind: 'ok' };
        },
      },
    ]),
  ),
  // Hang past the 15 s response timeout on the first attempt (each costs 15 s), then answer.
  ...Object.fromEntries(
    [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => [
      `/hang${n}`,
      {
        deliveries: 5,
        behave: (_id: string, attempt: number): Behaviour =>
          attempt === 1 ? { kind: 'hang' } : { kind: 'ok' },
      },
    ]),
  ),
  // A body dripped one byte a second: cut at the 25 s total limit, then a normal answer.
  '/drip': {
    deliveries: 2,
    behave: (_id, attempt) => (attempt === 1 ? { kind: 'drip' } : { kind: 'ok' }),
  },
  // 10 MiB answers: a success, of which 64 KiB are read and 4 KiB kept.
  '/big': { deliveries: 100, behave: () => ({ kind: 'big' }) },
  // Redirects are failures and are never followed.
  '/redirect': { deliveries: 20, behave: () => ({ kind: 'redirect' }) },
  // Not HTTP at all: a connection failure, then a normal answer. Five at most, for the same
  // reason as the hangs: a sixth concurrent connection failure would double the cool-down.
  '/invalid': {
    deliveries: 5,
    behave: (_id, attempt) => (attempt === 1 ? { kind: 'invalid' } : { kind: 'ok' }),
  },
  '/invalid-always': { deliveries: 1, behave: () => ({ kind: 'invalid' }) },
  '/reset-always': { deliveries: 1, behave: () => ({ kind: 'reset' }) },
  '/fail': { deliveries: 10, behave: () => ({ kind: 'status', status: 500 }) },
};

/** What one attempt answered with must be recorded as. */
function expectedRecord(behaviour: Behaviour): {
  status_code: number | null;
  error: string | null;
} {
  switch (behaviour.kind) {
    case 'ok':
      return { status_code: 204, error: null };
    case 'big':
    case 'slowBody':
      return { status_code: 200, error: null };
    case 'status':
      return { status_code: behaviour.status, error: null };
    case 'redirect':
      return { status_code: 302, error: null };
    case 'reset':
    case 'invalid':
      return { status_code: null, error: 'connection' };
    case 'hang':
    case 'drip':
      return { status_code: null, error: 'timeout' };
    default: {
      const never: never = behaviour;
      return never;
    }
  }
}

function succeeds(behaviour: Behaviour): boolean {
  return (
    expectedRecord(behaviour).status_code !== null && expectedRecord(behaviour).status_code! < 300
  );
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start(
    ({ id, attempt, path }) =>
      ENDPOINTS[path]?.behave(id, attempt) ?? { kind: 'status', status: 404 },
    {
      keepRequests: true,
    },
  );
});
afterAll(() => receiver.close());

test('hostile receivers: every delivery ends delivered or dead with the right attempts, and dispatcher memory stays bounded', async () => {
  await withHookline(
    { dispatchers: 2, env: { HOOKLINE_RETRY_SCHEDULE: RETRY_SCHEDULE } },
    async (h) => {
      const endpointOf = new Map<string, string>(); // endpoint id → path
      const events: EventInput[] = [];
      for (const [path, spec] of Object.entries(ENDPOINTS)) {
        const { id } = await h.api.createEndpoint(receiver.url(path));
        endpointOf.set(id, path);
        for (let i = 0; i < spec.deliveries; i++)
          events.push({ name: 'order.filled', data: { i, path }, endpoint_ids: [id] });
      }
      const memory = new MemoryWatch(() => h.liveDispatchers);
      await memory.sample(); // the baseline, before any traffic
      const started = Date.now();
      const published = await publishAll(h.api, events.length, {
        batchSize: 250,
        parallel: 2,
        event: (i) => events[i]!,
      });
      const total = published.reduce((sum, p) => sum + p.deliveries, 0);
      expect(total).toBe(events.length);
      const ids = (await mapLimit(published, 8, (p) => h.api.event(p.id))).flatMap((e) =>
        e.deliveries.map((d) => d.id),
      );

      try {
        await waitFor(
          async () =>
            (await statuses(h.context, ids)).every((s) => s === 'delivered' || s === 'dead'),
          {
            timeoutMs: 180_000,
            intervalMs: 500,
            message: 'every delivery to end delivered or dead',
          },
        );
      } catch (error) {
        // Say which deliveries are stuck, and where their jobs are.
        const now = await statuses(h.context, ids);
        const stuck = ids.filter((_, i) => now[i] !== 'delivered' && now[i] !== 'dead');
        const detail = await mapLimit(stuck.slice(0, 10), 4, async (id) => {
          const delivery = await h.api.delivery(id);
          return {
            path: endpointOf.get(delivery.endpoint_id),
            delivery,
            job: await jobState(h, id),
            requests: receiver.requests
              .filter((r) => r.id === id)
              .map((r) => ({ attempt: r.attempt, kind: r.behaviour, at: r.at - started })),
          };
        });
        process.stderr.write(
          `STUCK ${stuck.length} ${JSON.stringify({ counts: await queueCounts(h), detail }, null, 1)}\n`,
        );
        throw error;
      } finally {
        memory.stop();
      }
      const settledMs = Date.now() - started;
      const lastRequest = Object.fromEntries(
        Object.keys(ENDPOINTS).map((path) => [
          path,
          seconds(
            Math.max(
              0,
              ...receiver.requests.filter((r) => r.path === path).map((r) => r.at - started),
            ),
          ),
        ]),
      );

      const deliveries: DeliveryView[] = await mapLimit(ids, 8, (id) => h.api.delivery(id));
      const requestsOf = new Map<string, typeof receiver.requests>();
      for (const r of receiver.requests) requestsOf.set(r.id, [...(requestsOf.get(r.id) ?? []), r]);
      const wrong: unknown[] = [];
      const tally: Record<string, number> = {};
      const outcome = new Map<string, Expected>();
      for (const d of deliveries) {
        const path = endpointOf.get(d.endpoint_id)!;
        const behave = ENDPOINTS[path]!.behave;
        // What must have happened: attempts until the first success, at most MAX_ATTEMPTS.
        const expected: Behaviour[] = [];
        for (let n = 1; n <= MAX_ATTEMPTS; n++) {
          expected.push(behave(d.id, n));
          if (succeeds(expected[n - 1]!)) break;
        }
        const status = succeeds(expected[expected.length - 1]!) ? 'delivered' : 'dead';
        outcome.set(d.id, { status, attempts: [expected.length, expected.length] });
        const got = {
          status: d.status,
          attempts: d.attempts.map((a) => ({ status_code: a.status_code, error: a.error })),
          sent: (requestsOf.get(d.id) ?? []).map((r) => r.attempt),
        };
        const want = {
          status,
          attempts: expected.map(expectedRecord),
          sent: expected.map((_, i) => i + 1),
        };
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ id: d.id, path, got, want });
        if (d.attempts.some((a) => Buffer.byteLength(a.response_excerpt) > 4096))
          wrong.push({ id: d.id, path, excerpt: 'longer than 4 KiB' });
        for (const b of expected) tally[b.kind] = (tally[b.kind] ?? 0) + 1;
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(receiver.redirectsFollowed).toBe(0);

      // The log has every one once, as it ended, with exactly the attempts it took; the dead
      // letter is the log's, read once every change is in it.
      const loggedMs = await expectLoggedOnce(
        h,
        published.map((p) => p.id),
        ids,
        (id) => outcome.get(id)!,
      );
      const dead = deliveries
        .filter((d) => d.status === 'dead')
        .map((d) => d.id)
        .sort();
      const deadLetter = (await h.api.list<{ id: string }>('/v1/dead-letter'))
        .map((d) => d.id)
        .sort();
      expect(deadLetter).toEqual(dead);
      // The processes survived all of it.
      expect(h.liveDispatchers).toHaveLength(2);

      // Bounded: 100 answers of 10 MiB (1 GiB) went at the dispatchers; they read 64 KiB of each.
      const baseline = memory.baselineMiB();
      const peak = memory.peakMiB();
      report('hostile-receivers', {
        deliveries: total,
        delivered: deliveries.length - dead.length,
        dead: dead.length,
        requestsByBehaviour: tally,
        settledSeconds: seconds(settledMs),
        loggedSecondsAfterSettled: seconds(loggedMs),
        lastRequestSecondsByEndpoint: lastRequest,
        dispatcherRssMiB: { baseline, peak, samples: memory.samples.length },
      });
      expect(memory.samples.length).toBeGreaterThan(0);
      expect(peak - baseline).toBeLessThan(100);
      expect(peak).toBeLessThan(400);
    },
  );
}, 240_000);
