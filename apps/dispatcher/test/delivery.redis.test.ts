import { deliveryIdFor } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Webhook } from 'standardwebhooks';
import { createHmac } from 'node:crypto';
import * as noble from '@noble/ed25519';
import { publicKeyOf, verify } from '@hookline/webhooks';
import { Harness } from './harness';
import { Receiver } from './receiver';

let h: Harness;
const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof Receiver.start>) {
  const r = await Receiver.start(...args);
  receivers.push(r);
  return r;
}

beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  // Receivers first: a black hole's open requests then fail at once instead of holding close().
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await h.close();
});

test('a delivery is signed, with the secret Redis holds sealed, so that the public standardwebhooks library verifies it', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({
    url: r.url(),
    headers: { 'X-Tenant': 't1' },
    legacy_signature_header: 'X-Hub-Signature-256',
  });
  // What the dispatcher reads: the secret and the header's value sealed, which it opens.
  const stored = (await h.api.redis.get(h.api.keys.endpoint(ep.id)))!;
  expect(stored).not.toContain(ep.secrets[0]!.key);
  expect(stored).toMatch(/"key":"hls1:[0-9a-f]{12}:/);
  expect(stored).toMatch(/"X-Tenant":"hls1:[0-9a-f]{12}:/);
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  await waitFor(() => r.received.length === 1, { message: 'the delivery' });

  const got = r.received[0]!;
  expect(got.body).toBe(event.body);
  const wh = new Webhook(ep.secrets[0]!.key);
  expect(wh.verify(got.body, got.headers as Record<string, string>)).toEqual(event.event);
  expect(got.headers['webhook-id']).toBe(deliveryIdFor(event.event.id, ep.id));
  expect(got.headers['webhook-attempt']).toBe('1');
  expect(got.headers['event-id']).toBe(event.event.id);
  expect(got.headers['content-type']).toBe('application/json');
  expect(got.headers['user-agent']).toMatch(/^Hookline\/\d+\.\d+\.\d+$/);
  expect(got.headers['x-tenant']).toBe('t1');
  const key = Buffer.from(ep.secrets[0]!.key.slice('whsec_'.length), 'base64');
  expect(got.headers['x-hub-signature-256']).toBe(
    `sha256=${createHmac('sha256', key).update(got.body).digest('hex')}`,
  );
  await waitFor(
    async () =>
      (await h.deliveryStatus(got.headers['webhook-id'] as string))?.status === 'delivered',
  );
});

test('during a secret rotation each request carries two signatures, and either secret verifies it', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: r.url() });
  const newKey = await h.api.endpoints.rotateSecret(ep.id, undefined, 60_000);
  h.startDispatcher();
  await h.publish([ep.id]);
  await waitFor(() => r.received.length === 1);
  const got = r.received[0]!;
  expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
  for (const secret of [ep.secrets[0]!.key, newKey!]) {
    expect(() =>
      new Webhook(secret).verify(got.body, got.headers as Record<string, string>),
    ).not.toThrow();
  }
});

test('a v1a endpoint signs with ed25519: its public key verifies every request, with Hookline’s library and an independent ed25519, through a rotation', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: r.url(), signature: 'v1a' });
  const before = publicKeyOf(ep.secrets[0]!.key);
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  await waitFor(() => r.received.length === 1, { message: 'the first delivery' });
  const nobleVerifies = async (got: (typeof r.received)[number], publicKey: string) => {
    const content = Buffer.from(
      `${String(got.headers['webhook-id'])}.${String(got.headers['webhook-timestamp'])}.${got.body}`,
    );
    const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
    const results = await Promise.all(
      String(got.headers['webhook-signature'])
        .split(' ')
        .map((entry) =>
          noble.verify(Buffer.from(entry.slice('v1a,'.length), 'base64'), content, raw),
        ),
    );
    return results.some(Boolean);
  };
  const first = r.received[0]!;
  expect(String(first.headers['webhook-signature'])).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
  expect(verify(first.body, first.headers, before)).toEqual(event.event);
  expect(await nobleVerifies(first, before)).toBe(true);

  // Rotated with a grace period: both keys sign; either public key verifies.
  const after = await h.api.endpoints.rotateSecret(ep.id, undefined, 60_000);
  expect(after).toMatch(/^whpk_/);
  await h.publish([ep.id]);
  await waitFor(() => r.received.length === 2, { message: 'the second delivery' });
  const second = r.received[1]!;
  expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(2);
  for (const key of [before, after!]) {
    expect(() => verify(second.body, second.headers, key)).not.toThrow();
    expect(await nobleVerifies(second, key)).toBe(true);
  }
  // A HMAC secret proves nothing about an ed25519 signature.
  expect(() =>
    verify(second.body, second.headers, ep.secrets[0]!.key.replace('whsk_', 'whsec_')),
  ).toThrow();
});

test('a test delivery is signed like any other and has no Event-Id', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  await h.publish([ep.id], 'ping', {}, true);
  await waitFor(() => r.received.length === 1);
  expect(r.received[0]!.headers['event-id']).toBeUndefined();
  expect(() =>
    new Webhook(ep.secrets[0]!.key).verify(
      r.received[0]!.body,
      r.received[0]!.headers as Record<string, string>,
    ),
  ).not.toThrow();
});

test('a receiver failing twice then succeeding sees attempts 1, 2, 3 with one Webhook-Id', async () => {
  let calls = 0;
  const r = await receiver((_req, res) => res.writeHead(++calls <= 2 ? 500 : 200).end('ok'));
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  await waitFor(async () => (await h.deliveryStatus(id))?.status === 'delivered', {
    message: 'delivered',
  });
  expect(r.received.map((x) => x.headers['webhook-attempt'])).toEqual(['1', '2', '3']);
  expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([id]));
  await h.logged();
  const delivery = await h.deliveryStatus(id);
  expect(delivery?.attempts.map((a) => [a.number, a.status_code])).toEqual([
    [1, 500],
    [2, 500],
    [3, 200],
  ]);
});

test('a receiver that always fails ends in the dead letter, and a replay from the log delivers it with Webhook-Attempt going on from its count', async () => {
  let fail = true;
  const r = await receiver((_req, res) => res.writeHead(fail ? 503 : 204).end());
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  await waitFor(async () => (await h.deliveryStatus(id))?.status === 'dead', { message: 'dead' });
  expect(r.received).toHaveLength(3); // 1 + the two retries of '50ms,100ms'
  await h.logged();
  const deadLetter = await h.api.log.listDeliveries({ dead_letter: true, limit: 10 });
  expect(deadLetter.data.map((d) => d.id)).toEqual([id]);
  // Settled and logged, its job leaves Redis: the replay has only the log to go on.
  await waitFor(async () => (await h.tracesInRedis(id, event.event.id)).length === 0, {
    message: 'the dead delivery to leave Redis',
  });

  fail = false;
  expect(await h.api.deliveries.requeue([id], ['dead'])).toEqual([id]);
  await waitFor(async () => (await h.deliveryStatus(id))?.status === 'delivered', {
    message: 'replayed',
  });
  expect(r.received.map((x) => x.headers['webhook-attempt'])).toEqual(['1', '2', '3', '4']);
  expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set([id]));
  await h.logged();
  expect(await h.api.log.count({ dead_letter: true })).toBe(0);
  const [logged] = await h.api.log.getDeliveries([id]);
  expect(logged?.attempts.map((a) => [a.number, a.status_code])).toEqual([
    [1, 503],
    [2, 503],
    [3, 503],
    [4, 204],
  ]);
});

test('410 Gone disables the endpoint at once and dead-letters its other deliveries', async () => {
  const r = await receiver((_req, res) => res.writeHead(410).end());
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher({ config: { ...h.config, concurrency: 1 } });
  const events = await h.publishMany([ep.id], 5);
  const ids = events.map((e) => deliveryIdFor(e.event.id, ep.id));
  await waitFor(
    async () =>
      (await Promise.all(ids.map((id) => h.deliveryStatus(id)))).every((d) => d?.status === 'dead'),
    {
      message: 'all dead',
    },
  );
  expect(r.received).toHaveLength(1);
  const endpoint = await h.api.endpoints.get(ep.id);
  expect(endpoint?.disabled).toBe(true);
  expect(await h.api.endpoints.matching('order.filled', null)).toEqual([]);
});

test('Retry-After on a 503 is honoured when it asks for longer than the schedule', async () => {
  const r = await receiver((_req, res) => res.writeHead(503, { 'retry-after': '30' }).end());
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.status === 'failed');
  const at = Date.parse(delivery.attempts[0]!.at);
  expect(Date.parse(delivery.next_attempt_at!) - at).toBeGreaterThanOrEqual(29_000);
  expect(r.received).toHaveLength(1);
});

test('a receiver that hangs past the timeout is a timeout attempt', async () => {
  const r = await receiver(() => undefined);
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.attempts.length > 0);
  expect(delivery.attempts[0]).toMatchObject({ error: 'timeout', status_code: null });
});

test('a receiver that resets the connection is a connection attempt', async () => {
  const r = await receiver((req) => req.socket.destroy());
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.attempts.length > 0);
  expect(delivery.attempts[0]).toMatchObject({ error: 'connection', status_code: null });
});

test('a 10 MiB answer is read only to 64 KiB and 4 KiB of it is kept', async () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 'a');
  const r = await receiver((_req, res) =>
    res.writeHead(200, { 'content-length': big.length }).end(big),
  );
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.status === 'delivered');
  expect(delivery.attempts[0]!.response_excerpt).toHaveLength(4096);
});

test('a redirect is a failed attempt and is not followed', async () => {
  const target = await receiver();
  const r = await receiver((_req, res) => res.writeHead(302, { location: target.url() }).end());
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.attempts.length > 0);
  expect(delivery.attempts[0]).toMatchObject({ status_code: 302, error: null });
  expect(target.received).toHaveLength(0);
});

test('a name that resolves to 127.0.0.1 is refused when insecure URLs are not allowed, and no connection is made', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: `https://hooks.example.test:${r.port}/hook` });
  h.startDispatcher({
    config: { ...h.config, allowInsecureUrls: false },
    resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
  });
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  await h.waitForDelivery(id, (d) => d.status === 'dead');
  await h.logged();
  const delivery = await h.deliveryStatus(id);
  expect(delivery?.attempts.map((a) => a.error)).toEqual([
    'ssrf_blocked',
    'ssrf_blocked',
    'ssrf_blocked',
  ]);
  expect(r.connections).toBe(0);
});

test('an IPv4-mapped loopback literal is refused the same way', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: `http://[::ffff:127.0.0.1]:${r.port}/hook` });
  h.startDispatcher({ config: { ...h.config, allowInsecureUrls: false } });
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.attempts.length > 0);
  expect(delivery.attempts[0]!.error).toBe('ssrf_blocked');
  expect(r.connections).toBe(0);
});

test('the deliveries of a deleted endpoint are dropped, not attempted', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: r.url() });
  const event = await h.publish([ep.id]);
  await h.api.endpoints.delete(ep.id);
  h.startDispatcher();
  const id = deliveryIdFor(event.event.id, ep.id);
  await waitFor(async () => (await h.deliveryStatus(id))?.status === 'dead');
  expect(r.received).toHaveLength(0);
  await h.logged();
  expect((await h.api.log.getDeliveries([id])).map((d) => d.status)).toEqual(['dead']);
  expect(await h.api.log.count({ dead_letter: true })).toBe(0);
});

test('a job whose data fails its schema is dropped without stopping the worker', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: r.url() });
  await h.api.queues.shards[0]!.deliveries.add(
    'deliver',
    { delivery_id: 'nonsense' },
    { jobId: 'poison' },
  );
  h.startDispatcher();
  await h.publish([ep.id]);
  await waitFor(() => r.received.length === 1);
  await waitFor(
    async () =>
      (await h.api.queues.shards[0]!.deliveries.getJob('poison'))?.finishedOn !== undefined,
    {
      message: 'the poison job to finish',
    },
  );
  expect(await h.api.queues.shards[0]!.deliveries.getJobState('poison')).toBe('completed');
});

test('an endpoint that never answers does not delay the deliveries of a healthy one', async () => {
  const blackHole = await receiver(() => undefined);
  const healthy = await receiver();
  const hole = await h.createEndpoint({ url: blackHole.url() });
  const good = await h.createEndpoint({ url: healthy.url() });
  // The black hole's requests time out after 10 s; the healthy endpoint's deliveries, published
  // after 500 piled onto the black hole, must all arrive long before the first of those timeouts.
  h.startDispatcher({
    config: { ...h.config, concurrency: 100 },
    sender: { connectTimeoutMs: 1_000, responseTimeoutMs: 10_000, totalTimeoutMs: 10_000 },
  });
  const holeEvents = await h.publishMany([hole.id], 500);
  await waitFor(() => blackHole.received.length >= 25, { message: 'the black hole to fill up' });
  const started = Date.now();
  const events = await h.publishMany([good.id], 50);
  await waitFor(() => healthy.received.length === 50, {
    message: 'healthy deliveries',
    timeoutMs: 9_000,
  });
  // Read from their jobs, which say 'failed' the moment an attempt has timed out.
  const timedOut = (
    await h.api.deliveries.getDeliveries(holeEvents.map((e) => deliveryIdFor(e.event.id, hole.id)))
  ).filter((d) => d.status === 'failed');
  expect(timedOut).toEqual([]);
  expect(healthy.countsById().size).toBe(events.length);
  // Reported, not asserted: timings vary on shared machines.
  console.info(
    `isolation: 50 healthy deliveries arrived ${Date.now() - started} ms after publish beside a black hole`,
  );
});

test('an endpoint rate limit holds across two dispatchers, and deferrals use no attempts', async () => {
  const r = await receiver();
  const ep = await h.createEndpoint({ url: r.url(), rate_limit: 5 });
  h.startDispatcher();
  h.startDispatcher();
  const events = await h.publishMany([ep.id], 12);
  await waitFor(() => r.received.length === 12, {
    timeoutMs: 15_000,
    message: 'all rate-limited deliveries',
  });
  // The receiver has the last ones before their dispatcher has recorded them: read once recorded.
  const read = () =>
    Promise.all(events.map((e) => h.deliveryStatus(deliveryIdFor(e.event.id, ep.id))));
  let deliveries = await read();
  await waitFor(async () => (deliveries = await read()).every((d) => d?.status === 'delivered'), {
    message: 'every rate-limited delivery recorded',
  });
  expect(deliveries.every((d) => d?.attempts.length === 1)).toBe(true);
  // When each attempt was let through, as the dispatchers recorded it (the moment the limiter
  // answered), not when the receiver's event loop saw the body: the receiver's own scheduling
  // delays are no part of the limit.
  const times = deliveries.map((d) => Date.parse(d!.attempts[0]!.at)).sort((a, b) => a - b);
  // 5 per second: any six consecutive attempts span at least a second (less a scheduling margin).
  for (let i = 0; i + 5 < times.length; i++)
    expect(times[i + 5]! - times[i]!).toBeGreaterThanOrEqual(900);
});
