import { EndpointGate, type GateOptions } from './endpoint-gate';

type Release = (outcome: 'success' | 'failure' | 'neutral') => void;

const ID = 'ep_1';

// A fake clock: requests are timed by `t`, and resolved only by calling their release. The real
// timer acquire() sets while it waits for a slot is kept out of the way: tests that expect a
// deferral either have a slow endpoint (no wait at all) or use waitMs 0.
function setup(options: Partial<GateOptions> = {}) {
  const clock = { t: 1_000_000 };
  const gate = new EndpointGate({
    maxInFlight: 2,
    maxInFlightFast: 4,
    slowMs: 250,
    waitMs: 0,
    now: () => clock.t,
    ...options,
  });
  const go = async (): Promise<Release> => {
    const decision = await gate.acquire(ID);
    if (!decision.go) throw new Error('expected the gate to let the request go');
    return decision.release;
  };
  // Acquires until the endpoint is at its current limit.
  const fill = async (held: Release[]) => {
    while (held.length < gate.limit(ID)) held.push(await go());
  };
  return { clock, gate, go, fill };
}

// The decision, or 'waited' when acquire() is waiting for a slot: a decision made at once settles
// within the microtasks that run before the next turn of the event loop.
function acquireAtOnce(gate: EndpointGate) {
  const turn = new Promise<'waited'>((resolve) => setImmediate(() => resolve('waited')));
  return Promise.race([gate.acquire(ID), turn]);
}

test('an endpoint starts at maxInFlight', async () => {
  const { gate, go } = setup();
  expect(gate.limit(ID)).toBe(2);
  await go();
  await go();
  expect((await gate.acquire(ID)).go).toBe(false);
});

test('fast answers at the limit raise it one at a time, up to maxInFlightFast and no further', async () => {
  const { clock, gate, fill } = setup();
  const held: Release[] = [];
  const limits: number[] = [];
  for (const outcome of ['success', 'neutral', 'success', 'success'] as const) {
    await fill(held);
    clock.t += 10;
    held.shift()!(outcome);
    limits.push(gate.limit(ID));
  }
  expect(limits).toEqual([3, 4, 4, 4]);
  await fill(held);
  expect(held).toHaveLength(4);
  expect((await gate.acquire(ID)).go).toBe(false);
});

test('the limit does not grow while the endpoint does not use all of it', async () => {
  const { clock, gate, go } = setup({ maxInFlight: 4, maxInFlightFast: 8 });
  // One request held throughout keeps the endpoint's state; one more at a time comes and goes.
  await go();
  for (let i = 0; i < 10; i += 1) {
    const release = await go();
    clock.t += 10;
    release('success');
  }
  expect(gate.limit(ID)).toBe(4);
});

test('a release makes room for a waiter, and a grown limit for two', async () => {
  // A waiter left unwoken would be deferred after waitMs, and fail the test.
  const { clock, gate, go } = setup({ waitMs: 1_000 });
  const first = await go();
  await go();
  const waiting = [gate.acquire(ID), gate.acquire(ID)];
  clock.t += 10;
  first('success');
  expect(gate.limit(ID)).toBe(3);
  const decisions = await Promise.all(waiting);
  expect(decisions.map((d) => d.go)).toEqual([true, true]);
});

test('a request out longer than slowMs drops the limit to maxInFlight and defers the rest', async () => {
  const { clock, gate, go, fill } = setup({ waitMs: 1_000 });
  const held: Release[] = [];
  await fill(held);
  clock.t += 10;
  held.shift()!('success');
  await fill(held);
  clock.t += 10;
  held.shift()!('success');
  await fill(held);
  expect(gate.limit(ID)).toBe(4);
  // Let the requests out hang: the next acquisition is deferred at once, without waiting.
  clock.t += 251;
  const decision = await acquireAtOnce(gate);
  if (decision === 'waited') throw new Error('expected no wait for a slot at a slow endpoint');
  expect(decision.go).toBe(false);
  if (!decision.go) expect(decision.retryAt).toBeGreaterThanOrEqual(clock.t + 1_000);
  expect(gate.limit(ID)).toBe(2);
  // Releases free nothing beyond maxInFlight while a request is still hanging...
  held.pop()!('success');
  held.pop()!('success');
  expect(gate.limit(ID)).toBe(2);
  expect((await gate.acquire(ID)).go).toBe(false);
  // ...but below maxInFlight a slow endpoint still gets requests, as before.
  held.pop()!('success');
  expect(held).toHaveLength(1);
  await go();
});

test('an answer slower than slowMs drops the limit to maxInFlight', async () => {
  const { clock, gate, go } = setup();
  const old = await go();
  const other = await go();
  clock.t += 10;
  other('success');
  expect(gate.limit(ID)).toBe(3);
  clock.t += 190;
  await go();
  await go();
  // The old request answers after 300 ms; the two sent since are 100 ms old, so only the slow
  // answer itself can bring the limit down.
  clock.t += 100;
  old('success');
  expect(gate.limit(ID)).toBe(2);
});

test('a failure drops the limit to maxInFlight', async () => {
  const { clock, gate, fill } = setup();
  const held: Release[] = [];
  await fill(held);
  clock.t += 10;
  held.shift()!('success');
  expect(gate.limit(ID)).toBe(3);
  clock.t += 1;
  held.shift()!('failure');
  expect(gate.limit(ID)).toBe(2);
});

test('the circuit opens after tripAfter failures, then lets one probe through', async () => {
  const { clock, gate, go } = setup({ tripAfter: 3, coolDownMs: 5_000 });
  for (let i = 0; i < 3; i += 1) {
    const release = await go();
    clock.t += 10;
    release('failure');
  }
  const open = await gate.acquire(ID);
  expect(open.go).toBe(false);
  if (!open.go) {
    expect(open.retryAt).toBeGreaterThanOrEqual(clock.t + 5_000);
    expect(open.retryAt).toBeLessThan(clock.t + 6_000);
  }
  clock.t += 5_000;
  const probe = await go();
  expect((await gate.acquire(ID)).go).toBe(false);
  clock.t += 10;
  probe('success');
  await go();
  await go();
});
