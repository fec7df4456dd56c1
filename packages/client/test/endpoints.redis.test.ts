import { newId } from '@hookline/core';
import { moveInFlight } from '@hookline/core/testing-log';
import { generateSecret } from '@hookline/webhooks';
import type { BlockedLine, BlockedLines, Hookline, Ordering, OrderingKey } from '../src';
import { apiError, Harness } from './harness';

// The client against the real producer (listening on 127.0.0.1) and the real Redis.

let h: Harness;
let hookline: Hookline;

beforeAll(async () => {
  h = await Harness.start('client-ep');
  hookline = h.client();
});
afterAll(() => h.close());

test('create returns the endpoint with its secret, get returns it without', async () => {
  const created = await hookline.endpoints.create({
    url: 'https://example.com/hooks',
    event_types: ['order.*'],
    metadata: { team: 'payments' },
  });
  expect(created).toMatchObject({
    url: 'https://example.com/hooks',
    event_types: ['order.*'],
    metadata: { team: 'payments' },
    disabled: false,
  });
  expect(created.id).toMatch(/^ep_/);
  expect(created.secret).toMatch(/^whsec_/);

  const read = await hookline.endpoints.get(created.id);
  const { secret: _secret, ...view } = created;
  expect(read).toEqual(view);
  expect(read).not.toHaveProperty('secret');
});

test('update changes only the given fields', async () => {
  const created = await hookline.endpoints.create({
    url: 'https://example.com/a',
    description: 'first',
  });
  const updated = await hookline.endpoints.update(created.id, { disabled: true, rate_limit: 10 });
  expect(updated).toMatchObject({
    id: created.id,
    url: 'https://example.com/a',
    description: 'first',
    disabled: true,
    rate_limit: 10,
  });
  expect(await hookline.endpoints.get(created.id)).toEqual(updated);
});

test('ordering: created with a key, changed to another, removed with null', async () => {
  const ordering: Ordering = { key: 'resource' };
  const created = await hookline.endpoints.create({ url: 'https://example.com/ordered', ordering });
  expect(created.ordering).toEqual({ key: 'resource' });
  expect((await hookline.endpoints.get(created.id)).ordering).toEqual({ key: 'resource' });

  const key: OrderingKey = 'tenant';
  expect((await hookline.endpoints.update(created.id, { ordering: { key } })).ordering).toEqual({
    key: 'tenant',
  });
  expect((await hookline.endpoints.update(created.id, { ordering: null })).ordering).toBeNull();
  expect(
    (await hookline.endpoints.create({ url: 'https://example.com/plain' })).ordering,
  ).toBeNull();
});

test('an unknown ordering key is a 422 validation_failed at ordering.key', async () => {
  const error = await apiError(
    hookline.endpoints.create({
      url: 'https://example.com/ordered',
      // A key the API does not have, as a caller without the types could send.
      ordering: { key: 'event' } as unknown as Ordering,
    }),
  );
  expect(error).toMatchObject({ status: 422, code: 'validation_failed' });
  expect(error.details.map((d) => d.path)).toEqual(['ordering.key']);
});

/**
 * Publishes `name` (for `resource` and `tenant`, if given) and returns its delivery to `endpoint`.
 * No dispatcher runs here: every delivery stays where the producer put it until a test moves it.
 */
async function deliveryOf(
  endpoint: string,
  name: string,
  { resource, tenant }: { resource?: string; tenant?: string } = {},
): Promise<string> {
  const { id } = await hookline.events.publish({
    name,
    data: {},
    ...(resource !== undefined ? { resource: { id: resource, resource_type: 'order' } } : {}),
    ...(tenant !== undefined ? { tenant_id: tenant } : {}),
  });
  return (await hookline.events.get(id)).deliveries.find((d) => d.endpoint_id === endpoint)!.id;
}

/** Fails the head's first attempt with a 500, as a dispatcher would: it holds its line until retried. */
async function failFirstAttempt(delivery: string): Promise<void> {
  const attempt = {
    number: 1,
    at: new Date().toISOString(),
    duration_ms: 12,
    status_code: 500,
    error: null,
    response_excerpt: 'boom',
  };
  expect(await moveInFlight(h.context, delivery, 'failed', { attempt })).toBe('ok');
}

test("listBlockedLines: an ordered endpoint's line held by its failed head, with how many wait behind it", async () => {
  const { id } = await hookline.endpoints.create({
    url: 'https://example.com/blocked',
    event_types: ['blocked.*'],
    ordering: { key: 'resource' },
  });
  expect(await hookline.endpoints.listBlockedLines(id)).toEqual({ data: [] });

  const head = await deliveryOf(id, 'blocked.one', { resource: 'ord_1' });
  await failFirstAttempt(head);
  await deliveryOf(id, 'blocked.two', { resource: 'ord_1' });
  await deliveryOf(id, 'blocked.three', { resource: 'ord_1' });
  // Another line, not blocked: its head has not failed.
  await deliveryOf(id, 'blocked.four', { resource: 'ord_2' });

  const blocked: BlockedLines = await hookline.endpoints.listBlockedLines(id);
  const line: BlockedLine = blocked.data[0]!;
  expect(blocked.data).toEqual([
    {
      key: 'resource',
      value: 'ord_1',
      head_delivery_id: head,
      waiting: 2,
      blocked_since: expect.any(String) as string,
    },
  ]);
  expect(Math.abs(Date.parse(line.blocked_since) - Date.now())).toBeLessThan(60_000);
});

test('listBlockedLines of an unordered endpoint is empty, of an unknown one a 404 not_found', async () => {
  const { id } = await hookline.endpoints.create({
    url: 'https://example.com/unordered-lines',
    event_types: ['unordered.*'],
  });
  await failFirstAttempt(await deliveryOf(id, 'unordered.one'));
  await deliveryOf(id, 'unordered.two');
  expect(await hookline.endpoints.listBlockedLines(id)).toEqual({ data: [] });

  const unknown = newId('ep');
  expect(await apiError(hookline.endpoints.listBlockedLines(unknown))).toMatchObject({
    status: 404,
    code: 'not_found',
    message: `endpoint ${unknown} not found`,
  });
});

test("a tenant key lists its own endpoint's blocked lines; another tenant's endpoint is not found", async () => {
  const own = await hookline.endpoints.create({
    url: 'https://example.com/acme-ordered',
    tenant_id: 'blocked-acme',
    ordering: { key: 'tenant' },
  });
  const other = await hookline.endpoints.create({
    url: 'https://example.com/globex-ordered',
    tenant_id: 'blocked-globex',
    ordering: { key: 'tenant' },
  });
  const head = await deliveryOf(own.id, 'tenant.one', { tenant: 'blocked-acme' });
  await failFirstAttempt(head);
  await deliveryOf(own.id, 'tenant.two', { tenant: 'blocked-acme' });

  const { key } = await hookline.tenants.createKey('blocked-acme');
  const portal = h.client({ apiKey: key });
  expect((await portal.endpoints.listBlockedLines(own.id)).data).toEqual([
    expect.objectContaining({
      key: 'tenant',
      value: 'blocked-acme',
      head_delivery_id: head,
      waiting: 1,
    }),
  ]);
  expect(await apiError(portal.endpoints.listBlockedLines(other.id))).toMatchObject({
    status: 404,
    code: 'not_found',
  });
});

test('delete removes the endpoint: reading it afterwards is a not_found HooklineApiError', async () => {
  const created = await hookline.endpoints.create({ url: 'https://example.com/gone' });
  await expect(hookline.endpoints.delete(created.id)).resolves.toBeUndefined();
  const error = await apiError(hookline.endpoints.get(created.id));
  expect(error).toMatchObject({ status: 404, code: 'not_found' });
  expect(error.message).toContain(created.id);
});

test('getSecret returns the current secret and rotateSecret replaces it (with a given key or a new one)', async () => {
  const created = await hookline.endpoints.create({ url: 'https://example.com/s' });
  expect(await hookline.endpoints.getSecret(created.id)).toEqual({ key: created.secret });

  const generated = await hookline.endpoints.rotateSecret(created.id);
  expect(generated.key).toMatch(/^whsec_/);
  expect(generated.key).not.toBe(created.secret);

  const chosen = generateSecret();
  expect(await hookline.endpoints.rotateSecret(created.id, { key: chosen })).toEqual({
    key: chosen,
  });
  expect(await hookline.endpoints.getSecret(created.id)).toEqual({ key: chosen });
});

test('list iterates every endpoint across pages of a small page size, in order, fetching lazily', async () => {
  const mine = await createMany(7);
  const requests: string[] = [];
  const counting = h.client({
    hooks: { beforeRequest: [(options) => void requests.push(String(options.url))] },
  });

  const pager = counting.endpoints.list({ limit: 2 });
  expect(requests).toHaveLength(0); // nothing until read

  const seen: string[] = [];
  for await (const endpoint of pager) seen.push(endpoint.id);
  expect(seen).toEqual([...seen].sort());
  expect(seen).toEqual(expect.arrayContaining(mine));
  expect(new Set(seen).size).toBe(seen.length);
  // The API reads one more than a page holds, so it knows the last page: no empty page at the end.
  expect(requests).toHaveLength(Math.ceil(seen.length / 2));
  expect(requests.every((url) => url.includes('limit=2'))).toBe(true);

  const pages: number[] = [];
  for await (const page of counting.endpoints.list({ limit: 3 }).pages())
    pages.push(page.data.length);
  expect(pages.reduce((a, b) => a + b, 0)).toBe(seen.length);
  expect(pages.slice(0, -1).every((n) => n === 3)).toBe(true);
});

test('list().first() is one page whose cursor continues the list', async () => {
  await createMany(3);
  const first = await hookline.endpoints.list({ limit: 2 }).first();
  expect(first.data).toHaveLength(2);
  expect(first.next_cursor).toEqual(expect.any(String) as string);
  const rest = await hookline.endpoints.list({ limit: 250, cursor: first.next_cursor! }).toArray();
  const all = await hookline.endpoints.list({ limit: 250 }).toArray();
  expect([...first.data, ...rest].map((e) => e.id)).toEqual(all.map((e) => e.id));
  expect(await hookline.endpoints.list({ limit: 2 }).toArray(3)).toEqual(all.slice(0, 3));
});

test('a wrong API key is a 401 unauthorized HooklineApiError', async () => {
  const error = await apiError(h.client({ apiKey: 'not-the-key' }).endpoints.list().first());
  expect(error).toMatchObject({
    name: 'HooklineApiError',
    status: 401,
    code: 'unauthorized',
    details: [],
  });
  expect(error.message).toMatch(/API key/);
});

test('an unknown id is a 404 not_found HooklineApiError', async () => {
  const id = newId('ep');
  const error = await apiError(hookline.endpoints.get(id));
  expect(error).toMatchObject({
    status: 404,
    code: 'not_found',
    message: `endpoint ${id} not found`,
  });
});

test('an id is escaped into the path: it cannot reach another route', async () => {
  // Unescaped, `v1/endpoints/../endpoints` would be the list route, and answer 200.
  const error = await apiError(hookline.endpoints.get('../endpoints'));
  expect(error).toMatchObject({ status: 404, code: 'not_found' });
});

test('an invalid body is a 422 validation_failed HooklineApiError with every detail', async () => {
  const error = await apiError(
    hookline.endpoints.create({
      url: 'ftp://example.com',
      event_types: ['bad name!'],
      rate_limit: 0,
    }),
  );
  expect(error.status).toBe(422);
  expect(error.code).toBe('validation_failed');
  expect(error.details.map((d) => d.path).sort()).toEqual(['event_types.0', 'rate_limit', 'url']);
  for (const detail of error.details) expect(detail.message).toEqual(expect.any(String) as string);
});

async function createMany(n: number): Promise<string[]> {
  const created = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      hookline.endpoints.create({ url: `https://example.com/many/${i}` }),
    ),
  );
  return created.map((e) => e.id);
}
