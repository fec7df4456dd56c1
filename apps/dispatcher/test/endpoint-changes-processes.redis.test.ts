import type { ServerResponse } from 'node:http';
import { waitFor } from '@hookline/core/testing';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { Receiver, type Received } from './receiver';
import { ServicePair } from './services';

// A change made through the API reaches a running dispatcher for every attempt that starts more
// than 100 ms after the API answered (docs/api.md, "Endpoints"): checked end to end with a
// real producer and a real dispatcher process, the built dist/main.js of each, and receivers on
// 127.0.0.1 that verify with the public standardwebhooks library.

const KEY = 'endpoint-changes-test-key-'.padEnd(40, 'x');
const ROUNDS = 30;
/** The wait between the API's answer and the next attempt: more than the contract's 100 ms. */
const MIN_WAIT_MS = 150;

let h: Harness;
let services: ServicePair;
const receivers: Receiver[] = [];

beforeAll(async () => {
  h = await Harness.create();
  // A failed attempt is retried ~50 ms later: soon after the change, well within any cache TTL.
  services = await ServicePair.start(h.config, KEY, { HOOKLINE_RETRY_SCHEDULE: '50ms,50ms' });
}, 60_000);
afterAll(async () => {
  await services?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await h.close();
});

const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  services.api<T>(method, path, body);

/** A receiver answering 204, or holding each request (unanswered) while `hold` is set. */
async function receiver() {
  const held: ServerResponse[] = [];
  const state = { hold: false };
  const r = await Receiver.start((_req, res) => {
    if (state.hold) held.push(res);
    else res.writeHead(204).end();
  });
  receivers.push(r);
  return { r, held, state };
}

async function createEndpoint(url: string) {
  const { status, body } = await api<{ id: string; secret: string }>('POST', '/v1/endpoints', {
    url,
  });
  expect(status).toBe(201);
  return body;
}

/** Publishes one event to `endpointId` alone; resolves with the event id. */
async function publish(endpointId: string, data: Record<string, unknown> = {}) {
  const { status, body } = await api<{ id: string; deliveries: number }>('POST', '/v1/events', {
    name: 'endpoint.changed',
    data,
    endpoint_ids: [endpointId],
  });
  expect(status).toBe(202);
  expect(body.deliveries).toBe(1);
  return body.id;
}

const eventOf = (received: Received) => (JSON.parse(received.body) as { id: string }).id;

function arrival(r: Receiver, eventId: string): Promise<Received> {
  return waitFor(() => r.received.find((got) => eventOf(got) === eventId), {
    message: `event ${eventId} at ${r.url()}`,
  });
}

/** Resolves `ms` after `since`: the phase under test, not a wait for some condition. */
async function until(since: number, ms: number) {
  const left = since + ms - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}

/** Whether `secret` alone verifies the request, as a receiver that knows only it would check. */
function verifies(secret: string, got: Received): boolean {
  try {
    new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

test(`after each of ${ROUNDS} secret rotations, the next delivery verifies with the new secret alone`, async () => {
  const { r } = await receiver();
  const ep = await createEndpoint(r.url());
  // The dispatcher reads (and caches) the endpoint for this first delivery.
  const first = await arrival(r, await publish(ep.id, { round: 0 }));
  expect(verifies(ep.secret, first)).toBe(true);

  const stale: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // 150 ms to about 730 ms after the answer: on both sides of where a 500 ms cache would expire.
    const wait = MIN_WAIT_MS + (round - 1) * 20;
    const rotated = await api<{ key: string }>('POST', `/v1/endpoints/${ep.id}/secret/rotate`);
    expect(rotated.status).toBe(200);
    await until(rotated.at, wait);
    const got = await arrival(r, await publish(ep.id, { round }));
    if (!verifies(rotated.body.key, got)) stale.push(`round ${round}, ${wait} ms after the answer`);
  }
  expect(stale).toEqual([]);
}, 120_000);

test('after a URL change, the next delivery goes to the new URL', async () => {
  const { r: before } = await receiver();
  const { r: after } = await receiver();
  const ep = await createEndpoint(before.url());
  await arrival(before, await publish(ep.id));

  const patched = await api('PATCH', `/v1/endpoints/${ep.id}`, { url: after.url() });
  expect(patched.status).toBe(200);
  await until(patched.at, MIN_WAIT_MS);
  const eventId = await publish(ep.id);
  const got = await waitFor(
    () => [before, after].find((r) => r.received.some((b) => eventOf(b) === eventId)),
    { message: `event ${eventId} at either URL` },
  );
  expect(got.url()).toBe(after.url());
  expect(before.received.filter((b) => eventOf(b) === eventId)).toEqual([]);
}, 30_000);

/**
 * An attempt is held at the receiver while the endpoint is changed through the API; the receiver
 * fails it once the change is `MIN_WAIT_MS` old, and the retry ~50 ms later is the attempt that
 * must see the change: no second request, the delivery dead.
 */
async function retryAfterChange(
  change: (endpointId: string) => Promise<{ status: number; at: number }>,
) {
  const { r, held, state } = await receiver();
  const ep = await createEndpoint(r.url());
  await arrival(r, await publish(ep.id));

  state.hold = true;
  const eventId = await publish(ep.id);
  const got = await arrival(r, eventId);
  await waitFor(() => held.length === 1, { message: 'the attempt to be held' });
  const changed = await change(ep.id);
  expect(changed.status).toBeLessThan(300);
  await until(changed.at, MIN_WAIT_MS);
  state.hold = false;
  held[0]!.writeHead(500).end('try again');

  const delivery = await h.waitForDelivery(
    String(got.headers['webhook-id']),
    (d) => d.status === 'dead' || d.status === 'delivered',
  );
  expect(r.received.filter((b) => eventOf(b) === eventId)).toHaveLength(1);
  expect(delivery.status).toBe('dead');
}

test('after `disabled: true`, the next attempt is not sent: the delivery is dead', async () => {
  await retryAfterChange((id) => api('PATCH', `/v1/endpoints/${id}`, { disabled: true }));
}, 30_000);

test('after a delete, the next attempt is not sent: the delivery is dead', async () => {
  await retryAfterChange((id) => api('DELETE', `/v1/endpoints/${id}`));
}, 30_000);
