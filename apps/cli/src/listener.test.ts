import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { generateSecret, sign } from '@hookline/webhooks';
import { operationalSummary } from './listen';
import { createListener, type ListenerOptions, type Received } from './listener';

// The listener in this process, sent requests signed as the dispatcher signs them.

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function start(options: Partial<ListenerOptions> = {}) {
  const received: Received[] = [];
  server = createListener({
    secrets: [],
    random: () => 0.5,
    onRequest: (r) => received.push(r),
    ...options,
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received };
}

const event = {
  id: 'evt_1',
  name: 'order.filled',
  data: { n: 1 },
  created_at: '2026-01-15T10:30:00Z',
};

function signed(
  secret: string,
  body = JSON.stringify(event),
  timestamp = Math.floor(Date.now() / 1000),
) {
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'whd_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign({ id: 'whd_1', timestamp, body, secrets: [secret] }),
      'webhook-attempt': '1',
    },
  };
}

test('a correctly signed delivery is verified and answered 204', async () => {
  const secret = generateSecret();
  const { url, received } = await start({ secrets: [secret] });
  const res = await fetch(url, signed(secret));
  expect(res.status).toBe(204);
  expect(received[0]).toMatchObject({
    verification: { kind: 'verified' },
    event,
    status: 204,
    path: '/hook',
  });
});

test('any of several secrets verifies (a rotation)', async () => {
  const [old, next] = [generateSecret(), generateSecret()];
  const { url } = await start({ secrets: [next, old] });
  expect((await fetch(url, signed(old))).status).toBe(204);
});

test('a delivery signed with another secret is answered 401 with the reason', async () => {
  const { url, received } = await start({ secrets: [generateSecret()] });
  const res = await fetch(url, signed(generateSecret()));
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({
    error: { code: 'invalid_webhook', reason: 'no_matching_signature' },
  });
  expect(received[0]!.verification).toMatchObject({
    kind: 'invalid',
    reason: 'no_matching_signature',
  });
});

test('a stale timestamp is answered 401', async () => {
  const secret = generateSecret();
  const { url } = await start({ secrets: [secret] });
  expect(
    (await fetch(url, signed(secret, JSON.stringify(event), Math.floor(Date.now() / 1000) - 3600)))
      .status,
  ).toBe(401);
});

test('a request without webhook headers is answered 400 when secrets are given', async () => {
  const { url, received } = await start({ secrets: [generateSecret()] });
  expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(400);
  expect(received[0]!.verification).toMatchObject({ kind: 'invalid', reason: 'missing_header' });
});

test('without secrets nothing is checked and a body that is not JSON is still reported', async () => {
  const { url, received } = await start();
  expect((await fetch(url, { method: 'POST', body: 'hello' })).status).toBe(204);
  expect(received[0]).toMatchObject({ verification: { kind: 'unchecked' }, event: undefined });
});

test('--status answers that status to every delivery', async () => {
  const { url } = await start({ status: 503 });
  const res = await fetch(url, { method: 'POST', body: '{}' });
  expect(res.status).toBe(503);
  expect(await res.text()).toContain('503');
});

test('--fail-rate fails a delivery when the draw is under the rate, with 500 or --status', async () => {
  const draws = [0.1, 0.9];
  const { url } = await start({ failRate: 0.5, random: () => draws.shift() ?? 1 });
  expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(500);
  expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(204);

  await new Promise<void>((resolve) => server!.close(() => resolve()));
  const other = await start({ failRate: 1, status: 429 });
  expect((await fetch(other.url, { method: 'POST', body: '{}' })).status).toBe(429);
});

test('anything but POST is 405', async () => {
  const { url, received } = await start();
  const res = await fetch(url);
  expect(res.status).toBe(405);
  expect(res.headers.get('allow')).toBe('POST');
  expect(received).toHaveLength(0);
});

describe('operational events read as a sentence', () => {
  test('a dead delivery names the delivery, the endpoint, the attempts, the last answer and how to replay', () => {
    const summary = operationalSummary({
      name: 'hookline.delivery.dead',
      data: {
        delivery_id: 'whd_1',
        event_id: 'evt_1',
        endpoint_id: 'ep_1',
        tenant_id: 'acme',
        attempts: 8,
        last_status_code: 503,
        last_error: null,
      },
    });
    expect(summary).toBe(
      'dead letter: delivery whd_1 to endpoint ep_1 of tenant acme gave up after 8 attempts (last: HTTP 503); replay with: hookline dlq replay whd_1',
    );
  });

  test('a disabled endpoint names the endpoint and the reason; other events have no summary', () => {
    expect(
      operationalSummary({
        name: 'hookline.endpoint.disabled',
        data: { endpoint_id: 'ep_1', tenant_id: null, reason: 'the endpoint answered 410 Gone' },
      }),
    ).toBe('endpoint ep_1 disabled by Hookline: the endpoint answered 410 Gone');
    expect(operationalSummary({ name: 'order.filled', data: {} })).toBeUndefined();
  });
});
