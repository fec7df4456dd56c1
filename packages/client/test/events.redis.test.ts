import { randomUUID } from 'node:crypto';
import { HooklineApiError, HooklineConnectionError, Hookline, type EventListParams } from '../src';
import { API_KEY, Harness, momentBetween } from './harness';
import { lossyProxy } from './proxy';

// Publishing through the client against the real producer, Redis and log (no dispatcher:
// deliveries stay pending, which is all these tests count).

let h: Harness;
let hookline: Hookline;

beforeAll(async () => {
  h = await Harness.start('client-evt');
  hookline = h.client();
});
afterAll(() => h.close());

/** A fresh endpoint subscribed to a fresh event name, so that counts belong to one test. */
async function subscribed() {
  const name = `t${randomUUID().slice(0, 8)}.happened`;
  const endpoint = await hookline.endpoints.create({
    url: 'https://example.com/hooks',
    event_types: [name],
  });
  // The endpoint's deliveries as the log lists them, once it has every change so far.
  const deliveries = async () => {
    await h.logged();
    return hookline.deliveries.list({ endpoint_id: endpoint.id }).toArray();
  };
  return { name, endpoint, deliveries };
}

test('publish answers the event id and its delivery count; events.get returns the event and its deliveries', async () => {
  const { name, endpoint } = await subscribed();
  const published = await hookline.events.publish({
    name,
    data: { order: 42 },
    resource: { id: 'ord_1', resource_type: 'order' },
  });
  expect(published).toEqual({ id: expect.stringMatching(/^evt_/) as string, deliveries: 1 });

  const event = await hookline.events.get(published.id);
  expect(event).toMatchObject({
    id: published.id,
    name,
    data: { order: 42 },
    resource: { id: 'ord_1', resource_type: 'order' },
  });
  expect(event.deliveries).toEqual([
    {
      id: expect.stringMatching(/^whd_/) as string,
      endpoint_id: endpoint.id,
      status: 'pending',
      attempts: 0,
    },
  ]);
});

test('publishBatch answers one {id, deliveries} per event, in order', async () => {
  const { name, deliveries } = await subscribed();
  const published = await hookline.events.publishBatch([
    { name, data: { n: 1 } },
    { name: 'nobody.listens', data: { n: 2 } },
    { name, data: { n: 3 } },
  ]);
  expect(published.map((p) => p.deliveries)).toEqual([1, 0, 1]);
  expect(new Set(published.map((p) => p.id)).size).toBe(3);
  expect((await hookline.events.get(published[2]!.id)).data).toEqual({ n: 3 });
  expect(await deliveries()).toHaveLength(2);
});

test('two publishes with the same idempotencyKey are one event with one delivery', async () => {
  const { name, deliveries } = await subscribed();
  const idempotencyKey = randomUUID();
  const first = await hookline.events.publish({ name, data: { n: 1 } }, { idempotencyKey });
  const second = await hookline.events.publish({ name, data: { n: 1 } }, { idempotencyKey });
  expect(second).toEqual(first);
  expect(await deliveries()).toHaveLength(1);
});

test('an idempotencyKey reused for a different event is an idempotency_conflict', async () => {
  const { name } = await subscribed();
  const idempotencyKey = randomUUID();
  await hookline.events.publish({ name, data: { n: 1 } }, { idempotencyKey });
  await expect(
    hookline.events.publish({ name, data: { n: 2 } }, { idempotencyKey }),
  ).rejects.toMatchObject({
    name: 'HooklineApiError',
    code: 'idempotency_conflict',
  });
});

test('every publish carries an Idempotency-Key by default, a new one per call', async () => {
  const keys: unknown[] = [];
  const watched = h.client({
    hooks: { beforeRequest: [(options) => void keys.push(options.headers['idempotency-key'])] },
  });
  const { name } = await subscribed();
  await watched.events.publish({ name, data: {} });
  await watched.events.publish({ name, data: {} });
  await watched.events.publishBatch([{ name, data: {} }]);
  expect(keys).toHaveLength(3);
  for (const key of keys) expect(key).toMatch(/^[0-9a-f-]{36}$/);
  expect(new Set(keys).size).toBe(3);
});

test('a publish whose answer is lost is retried by got with the same key: one event, one delivery', async () => {
  const { name, deliveries } = await subscribed();
  const proxy = await lossyProxy(h.url);
  try {
    const client = new Hookline({ url: proxy.url, apiKey: API_KEY, retries: 2 });
    const published = await client.events.publish({ name, data: { n: 1 } });

    expect(proxy.forwarded).toHaveLength(2); // the first answer was dropped, got tried again
    expect(proxy.forwarded.map((f) => f.status)).toEqual([202, 202]);
    const [first, retry] = proxy.forwarded;
    expect(first!.idempotencyKey).toEqual(expect.any(String) as string);
    expect(retry!.idempotencyKey).toBe(first!.idempotencyKey);
    const all = await deliveries();
    expect(all).toHaveLength(1);
    expect(all[0]!.event_id).toBe(published.id);
  } finally {
    await proxy.close();
  }
});

test('the lossy proxy does duplicate a publish that carries no key (what the key protects against)', async () => {
  const { name, deliveries } = await subscribed();
  const proxy = await lossyProxy(h.url);
  try {
    const { default: got } = await import('got');
    await got.post(`${proxy.url}/v1/events`, {
      json: { name, data: {} },
      headers: { authorization: `Bearer ${API_KEY}` },
      retry: { limit: 1, methods: ['POST'] },
    });
    expect(proxy.forwarded).toHaveLength(2);
    expect(await deliveries()).toHaveLength(2);
  } finally {
    await proxy.close();
  }
});

test('a publish that fails validation is a 422 naming the field', async () => {
  await expect(hookline.events.publish({ name: 'has spaces', data: {} })).rejects.toMatchObject({
    status: 422,
    code: 'validation_failed',
    details: [{ path: 'name', message: expect.any(String) as string }],
  });
});

test('publishing to an endpoint id that does not exist is a 422 naming it', async () => {
  const missing = 'ep_0000000000AAAAAAAAAAAAAAAA';
  const error = await hookline.events
    .publish({ name: 'x.y', data: {}, endpoint_ids: [missing] })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HooklineApiError);
  expect(error).toMatchObject({
    code: 'validation_failed',
    details: [{ path: 'endpoint_ids.0', message: `endpoint ${missing} not found` }],
  });
});

test('an unreachable producer is a HooklineConnectionError', async () => {
  const proxy = await lossyProxy(h.url);
  const url = proxy.url;
  await proxy.close(); // nothing listens there any more
  const error = await new Hookline({ url, apiKey: API_KEY, retries: 0 }).events
    .publish({ name: 'a.b', data: {} })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HooklineConnectionError);
  expect(error).toMatchObject({
    code: 'ECONNREFUSED',
    message: expect.stringContaining(url) as string,
  });
});

test('events.list finds events by name prefix, resource and creation time, newest first', async () => {
  const tenant_id = 'list-search';
  const publish = async (name: string, resource: string) =>
    (
      await hookline.events.publish({
        name,
        data: {},
        tenant_id,
        resource: { id: resource, resource_type: 'invoice' },
      })
    ).id;
  const paid = await publish('invoice.paid', 'inv_e1');
  const voided = await publish('invoice.voided', 'inv_e2');
  const middle = await momentBetween();
  const refunded = await publish('refund.created', 'inv_e1');
  await h.logged();

  const ids = async (query: EventListParams) =>
    (await hookline.events.list({ tenant_id, ...query }).toArray()).map((e) => e.id);
  expect(await ids({ limit: 2 })).toEqual([refunded, voided, paid]);
  expect(await ids({ name: 'invoice.*' })).toEqual([voided, paid]);
  expect(await ids({ name: 'invoice.paid' })).toEqual([paid]);
  expect(await ids({ resource_id: 'inv_e1' })).toEqual([refunded, paid]);
  expect(await ids({ since: middle })).toEqual([refunded]);
  expect(await ids({ until: middle.toISOString() })).toEqual([voided, paid]);
  expect(await ids({ resource_id: 'inv_e1', until: middle })).toEqual([paid]);
  // `after`/`before` say what `since`/`until` say; given both, the narrower bound holds.
  expect(await ids({ after: middle, until: middle })).toEqual([]);
  const [listed] = await hookline.events.list({ tenant_id, name: 'refund.created' }).toArray();
  expect(listed).toMatchObject({ id: refunded, resource: { id: 'inv_e1' }, deliveries: [] });
});
