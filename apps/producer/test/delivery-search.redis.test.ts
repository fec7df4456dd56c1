import type { Attempt, Delivery, Endpoint, TenantKey } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import request from 'supertest';
import { endpointBody, expectError, startApp, type Harness } from './harness';

// GET /v1/deliveries: the log's deliveries newest first, every filter optional and ANDed,
// cursor-paginated.

let h: Harness;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Yesterday's midnight (UTC): recent enough for the log to keep what is published then. */
const START = Math.floor(Date.now() / DAY) * DAY - DAY;
let clock = START;
const at = (hours: number) => new Date(START + hours * HOUR).toISOString();

/** The fixtures' deliveries, named by their endpoint and the hour of their event. */
const d = {} as Record<'a0' | 'a1' | 'a2' | 'b3' | 'c4', string>;
let endpoints: Record<'a' | 'b' | 'c', string>;

const attempt = (status_code: number): Attempt => ({
  number: 1,
  at: new Date().toISOString(),
  duration_ms: 9,
  status_code,
  error: null,
  response_excerpt: '',
});

beforeAll(async () => {
  h = await startApp('delivery-search', { now: () => clock });
  const create = async (body: Record<string, unknown>) =>
    ((await h.api.post('/v1/endpoints', endpointBody(body)).expect(201)).body as Endpoint).id;
  endpoints = {
    a: await create({}),
    b: await create({ tenant_id: 'acme' }),
    c: await create({ tenant_id: 'globex' }),
  };
  const publish = async (
    hour: number,
    key: keyof typeof d,
    endpoint: string,
    body: Record<string, unknown>,
  ) => {
    clock = START + hour * HOUR;
    const { id } = (await h.api.post('/v1/events', { data: {}, ...body }).expect(202)).body as {
      id: string;
    };
    d[key] = deliveryIdFor(id, endpoint);
  };
  const order = (id: string) => ({ resource_type: 'order', id });
  await publish(0, 'a0', endpoints.a, { name: 'order.created', resource: order('ord_1') });
  await publish(1, 'a1', endpoints.a, { name: 'order.paid', resource: order('ord_1') });
  await publish(2, 'a2', endpoints.a, {
    name: 'user.created',
    resource: { resource_type: 'user', id: 'usr_1' },
  });
  await publish(3, 'b3', endpoints.b, {
    name: 'order.paid',
    resource: order('ord_2'),
    tenant_id: 'acme',
  });
  await publish(4, 'c4', endpoints.c, { name: 'order.paid', tenant_id: 'globex' });
  await h.settle(d.a0, 'delivered', attempt(200));
  await h.settle(d.a1, 'dead', attempt(500));
  await h.settle(d.a2, 'failed', attempt(503));
  await h.settle(d.b3, 'dead', attempt(500));
  await h.logged();
});
afterAll(() => h.close());

type Page = { data: Delivery[]; next_cursor: string | null };

/** Every id the search finds, following next_cursor, two a page. */
async function search(query = '', get = (path: string) => h.api.get(path)): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/v1/deliveries?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await get(path);
    expect([path, res.status]).toEqual([path, 200]);
    const page = res.body as Page;
    expect(page.data.length).toBeLessThanOrEqual(2);
    ids.push(...page.data.map((delivery) => delivery.id));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return ids;
}

test('lists every delivery newest first with its attempts, a page at a time', async () => {
  expect(await search()).toEqual([d.c4, d.b3, d.a2, d.a1, d.a0]);
  const page = (await h.api.get('/v1/deliveries?limit=4').expect(200)).body as Page;
  expect(page.next_cursor).toBe(d.a1);
  expect(page.data[3]).toEqual({
    id: d.a1,
    event_id: expect.stringMatching(/^evt_/) as string,
    trace_id: null,
    endpoint_id: endpoints.a,
    status: 'dead',
    attempts: [attempt(500)].map((a) => ({ ...a, at: expect.any(String) as string })),
    next_attempt_at: null,
    created_at: at(1),
  });
});

test('tenant_id: one tenant’s; a tenant key searches its own, and naming another is 403', async () => {
  expect(await search('&tenant_id=acme')).toEqual([d.b3]);
  expect(await search('&tenant_id=nobody')).toEqual([]);
  clock = Date.now(); // a key expires a day after the clock says it was minted
  const { key } = (await h.api.post('/v1/tenants/acme/keys', {}).expect(201)).body as TenantKey;
  const asAcme = (path: string) => request(h.app).get(path).set('Authorization', `Bearer ${key}`);
  expect(await search('', asAcme)).toEqual([d.b3]);
  expect(await search('&tenant_id=acme', asAcme)).toEqual([d.b3]);
  expect(await search('&status=dead&http_status=500', asAcme)).toEqual([d.b3]);
  const other = await asAcme('/v1/deliveries?tenant_id=globex');
  expect(other.status).toBe(403);
  expectError(other.body, 'forbidden');
});

test('endpoint_id: one endpoint’s', async () => {
  expect(await search(`&endpoint_id=${endpoints.a}`)).toEqual([d.a2, d.a1, d.a0]);
  expect(await search(`&endpoint_id=${endpoints.c}`)).toEqual([d.c4]);
  expect(await search('&endpoint_id=ep_01JH0000000000000000000000')).toEqual([]);
});

test('status: those in that state', async () => {
  expect(await search('&status=dead')).toEqual([d.b3, d.a1]);
  expect(await search('&status=failed')).toEqual([d.a2]);
  expect(await search('&status=delivered')).toEqual([d.a0]);
  expect(await search('&status=pending')).toEqual([d.c4]);
});

test('name: exact, or a prefix ending in .*', async () => {
  expect(await search('&name=order.paid')).toEqual([d.c4, d.b3, d.a1]);
  expect(await search('&name=order.*')).toEqual([d.c4, d.b3, d.a1, d.a0]);
  expect(await search('&name=user.*')).toEqual([d.a2]);
  expect(await search('&name=order')).toEqual([]);
});

test('since is inclusive and until exclusive', async () => {
  expect(await search(`&since=${at(1)}&until=${at(3)}`)).toEqual([d.a2, d.a1]);
  expect(await search(`&since=${at(3)}`)).toEqual([d.c4, d.b3]);
  expect(await search(`&until=${at(1)}`)).toEqual([d.a0]);
});

test('resource_id: those of events about that resource', async () => {
  expect(await search('&resource_id=ord_1')).toEqual([d.a1, d.a0]);
  expect(await search('&resource_id=usr_1')).toEqual([d.a2]);
  expect(await search('&resource_id=ord_9')).toEqual([]);
});

test('http_status: those whose last attempt answered it', async () => {
  expect(await search('&http_status=500')).toEqual([d.b3, d.a1]);
  expect(await search('&http_status=200')).toEqual([d.a0]);
  expect(await search('&http_status=404')).toEqual([]);
});

test('the filters combine', async () => {
  expect(await search(`&status=dead&name=order.*&since=${at(2)}`)).toEqual([d.b3]);
  expect(await search(`&endpoint_id=${endpoints.a}&resource_id=ord_1&http_status=500`)).toEqual([
    d.a1,
  ]);
  expect(await search(`&tenant_id=acme&endpoint_id=${endpoints.a}`)).toEqual([]);
});

test.each([
  ['zzz'],
  ['whd_'],
  ['evt_01JH0000000000000000000000'],
  ['ep_01JH0000000000000000000000'],
])('a cursor Hookline did not hand out (%s) is 422 on cursor', async (cursor) => {
  const res = await h.api.get(`/v1/deliveries?cursor=${cursor}`);
  expect(res.status).toBe(422);
  expectError(res.body, 'validation_failed');
  expect((res.body as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
    'cursor',
  );
});

test('bad filters are 422 naming the field', async () => {
  for (const [query, path] of [
    ['?status=lost', 'status'],
    ['?name=a%20b', 'name'],
    ['?name=order*', 'name'],
    ['?since=yesterday', 'since'],
    ['?until=1', 'until'],
    ['?http_status=abc', 'http_status'],
    ['?http_status=600', 'http_status'],
    ['?tenant_id=has%20space', 'tenant_id'],
    ['?endpoint_id=nope', 'endpoint_id'],
    ['?resource_id=', 'resource_id'],
    ['?limit=0', 'limit'],
    ['?other=1', 'other'],
  ] as const) {
    const res = await h.api.get(`/v1/deliveries${query}`);
    expect([query, res.status]).toEqual([query, 422]);
    expectError(res.body, 'validation_failed');
    expect(
      (res.body as { error: { details: { path: string }[] } }).error.details.map((e) => e.path),
    ).toContain(path);
  }
});
