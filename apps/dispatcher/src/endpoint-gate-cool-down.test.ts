import { EndpointGate, type GateDecision } from './endpoint-gate';

type Release = (outcome: 'success' | 'failure' | 'neutral') => void;

const ID = 'ep_1';
const COOL_DOWN = 5_000;
const TIMEOUT = 25_000;

// Time is the test's: requests end only when the test releases them, at the clock it sets.
function setup() {
  const clock = { t: 1_000_000 };
  const gate = new EndpointGate({
    maxInFlight: 10,
    waitMs: 0,
    tripAfter: 5,
    coolDownMs: COOL_DOWN,
    maxCoolDownMs: 40_000,
    now: () => clock.t,
  });
  const go = async (): Promise<Release> => {
    const decision = await gate.acquire(ID);
    if (!decision.go) throw new Error('expected the gate to let the request go');
    return decision.release;
  };
  const deferredUntil = async (): Promise<number> => {
    const decision: GateDecision = await gate.acquire(ID);
    if (decision.go) throw new Error('expected the gate to defer the request');
    return decision.retryAt;
  };
  return { clock, go, deferredUntil };
}

// A deferral says when to come back, plus up to a second of spread.
function expectBack(retryAt: number, at: number): void {
  expect(retryAt).toBeGreaterThanOrEqual(at);
  expect(retryAt).toBeLessThan(at + 1_000);
}

test('timeouts that finish after the circuit opened do not lengthen its cool-down', async () => {
  const { clock, go, deferredUntil } = setup();
  const hanging: Release[] = [];
  for (let i = 0; i < 10; i++) hanging.push(await go());
  clock.t += TIMEOUT;
  let opened = 0;
  for (const [i, release] of hanging.entries()) {
    release('failure');
    if (i === 4) opened = clock.t;
    clock.t += 1;
  }
  expectBack(await deferredUntil(), opened + COOL_DOWN);
  clock.t = opened + COOL_DOWN;
  const probe = await go();
  probe('success');
  (await go())('success');
});

test('each failed probe doubles the cool-down, up to maxCoolDownMs', async () => {
  const { clock, go, deferredUntil } = setup();
  for (let i = 0; i < 5; i++) (await go())('failure');
  let coolDown = COOL_DOWN;
  for (const expected of [10_000, 20_000, 40_000, 40_000]) {
    clock.t += coolDown;
    (await go())('failure');
    expectBack(await deferredUntil(), clock.t + expected);
    coolDown = expected;
  }
});

test('a late timeout after a failed probe does not double the cool-down again', async () => {
  const { clock, go, deferredUntil } = setup();
  const late = await go();
  for (let i = 0; i < 5; i++) (await go())('failure');
  clock.t += COOL_DOWN;
  (await go())('failure');
  const reopened = clock.t;
  clock.t += 100;
  late('failure');
  expectBack(await deferredUntil(), reopened + 2 * COOL_DOWN);
  clock.t = reopened + 2 * COOL_DOWN;
  (await go())('failure');
  expectBack(await deferredUntil(), clock.t + 4 * COOL_DOWN);
});

test('a probe that succeeds closes the circuit and resets the cool-down', async () => {
  const { clock, go, deferredUntil } = setup();
  for (let i = 0; i < 5; i++) (await go())('failure');
  clock.t += COOL_DOWN;
  (await go())('failure');
  clock.t += 2 * COOL_DOWN;
  (await go())('success');
  for (let i = 0; i < 5; i++) (await go())('failure');
  expectBack(await deferredUntil(), clock.t + COOL_DOWN);
});
