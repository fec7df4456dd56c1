import {
  ROUTES,
  type CreatedOperatorKey,
  type OperatorKeyList,
  type TenantKey,
} from '@hookline/api';
import request from 'supertest';
import { call, expectError, startApp, type Harness } from './harness';
import { expectRefusedAt } from './refusals';

// Operator keys made through the API (docs/api.md, "Operator keys"): they open every route as a
// key of HOOKLINE_API_KEYS does, and stop at once when revoked, or when a rotation's grace ends.

let h: Harness;
let clock = Date.now();

beforeAll(async () => {
  h = await startApp('opkeys', { now: () => clock });
});
afterAll(() => h.close());
beforeEach(() => {
  clock = Date.now();
});

const create = async (body: Record<string, unknown> = {}) =>
  (await h.api.post('/v1/operator-keys', body).expect(201)).body as CreatedOperatorKey;

const withKey = (key: string) =>
  request(h.app).get('/v1/endpoints').set('Authorization', `Bearer ${key}`);

/** Every route, its path parameters naming nothing: an operator key may call them all. */
const EVERY_ROUTE = ROUTES.map(
  (route) =>
    [
      route.method,
      route.path
        .replace('{tenant_id}', 'no-such-tenant')
        .replace('{id}', 'opk_00000000000000000000000000'),
    ] as const,
);

test('a created key is shown once, with its record, and listed without it', async () => {
  const created = await create({ name: 'deploy bot', expires_in: '7d' });
  expect(created).toEqual({
    id: expect.stringMatching(/^opk_[0-9A-Z]{26}$/) as string,
    key: expect.stringMatching(/^hlo_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/) as string,
    name: 'deploy bot',
    created_at: new Date(clock).toISOString(),
    expires_at: new Date(clock + 7 * 86_400_000).toISOString(),
    last_used_at: null,
    rotated_at: null,
    previous_key_expires_at: null,
  });
  const list = (await h.api.get('/v1/operator-keys?limit=250').expect(200)).body as OperatorKeyList;
  const listed = list.data.find((k) => k.id === created.id);
  const { key, ...record } = created;
  expect(listed).toEqual(record);
  // A key's secret is its last 43 characters (`hlo_<id>_<secret>`; the secret may hold `_`).
  expect(JSON.stringify(list)).not.toContain(key.slice(-43));
});

test.each(EVERY_ROUTE)('%s %s opens to a managed operator key', async (method, path) => {
  const { key } = await create({ name: 'every route' });
  const res = await call(h.app, method, path).set('Authorization', `Bearer ${key}`).send({});
  expect([401, 403]).not.toContain(res.status);
  expect(res.status).toBeLessThan(500);
});

test.each(ROUTES.filter((route) => route.path.startsWith('/v1/operator-keys')))(
  '$method $path is 403 forbidden to a tenant key',
  async ({ method, path }) => {
    const tenant = (await h.api.post('/v1/tenants/opkeys-t/keys', {}).expect(201))
      .body as TenantKey;
    const { id } = await create();
    const res = await call(h.app, method, path.replace('{id}', id))
      .set('Authorization', `Bearer ${tenant.key}`)
      .send({});
    expect(res.status).toBe(403);
    expectError(res.body, 'forbidden');
    expect(
      (
        (await h.api.get('/v1/operator-keys?limit=250').expect(200)).body as OperatorKeyList
      ).data.map((k) => k.id),
    ).toContain(id);
  },
);

test('a managed key can make, rotate and revoke other keys', async () => {
  const { key } = await create({ name: 'admin' });
  const as = (m: 'post' | 'delete', path: string) =>
    request(h.app)[m](path).set('Authorization', `Bearer ${key}`);
  const made = (await as('post', '/v1/operator-keys').send({}).expect(201))
    .body as CreatedOperatorKey;
  await as('post', `/v1/operator-keys/${made.id}/rotate`).send({ grace: '0s' }).expect(201);
  await as('delete', `/v1/operator-keys/${made.id}`).expect(204);
});

test('a revoked key is 401 on its next request', async () => {
  const { id, key } = await create();
  await withKey(key).expect(200);
  await h.api.delete(`/v1/operator-keys/${id}`).expect(204);
  const res = await withKey(key);
  expect(res.status).toBe(401);
  expectError(res.body, 'unauthorized');
  expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  expect(
    ((await h.api.get('/v1/operator-keys?limit=250').expect(200)).body as OperatorKeyList).data.map(
      (k) => k.id,
    ),
  ).not.toContain(id);
});

test('after a rotation the old key works until the grace ends, then is 401; the new one goes on', async () => {
  const old = await create({ name: 'rotating' });
  const res = await h.api.post(`/v1/operator-keys/${old.id}/rotate`, { grace: '10s' }).expect(201);
  const rotated = res.body as CreatedOperatorKey;
  expect(rotated).toMatchObject({
    id: old.id,
    name: 'rotating',
    rotated_at: new Date(clock).toISOString(),
    previous_key_expires_at: new Date(clock + 10_000).toISOString(),
  });
  expect(rotated.key).not.toBe(old.key);
  await withKey(old.key).expect(200);
  await withKey(rotated.key).expect(200);
  clock += 10_000;
  await withKey(old.key).expect(401);
  await withKey(rotated.key).expect(200);
});

test('a rotation without grace takes HOOKLINE_SECRET_ROTATION_GRACE', async () => {
  const old = await create();
  const rotated = (await h.api.post(`/v1/operator-keys/${old.id}/rotate`).expect(201))
    .body as CreatedOperatorKey;
  expect(rotated.previous_key_expires_at).toBe(
    new Date(clock + h.config.secretRotationGraceMs).toISOString(),
  );
  clock += h.config.secretRotationGraceMs - 1;
  await withKey(old.key).expect(200);
  clock += 1;
  await withKey(old.key).expect(401);
});

test('a key past its expiry is 401', async () => {
  const { key } = await create({ expires_in: '1m' });
  clock += 59_999;
  await withKey(key).expect(200);
  clock += 1;
  await withKey(key).expect(401);
});

test('the bootstrap key of HOOKLINE_API_KEYS works beside managed keys', async () => {
  await create();
  await h.api.get('/v1/endpoints').expect(200);
});

describe('bad input is a 4xx that changes nothing', () => {
  test.each([
    [{ expires_in: 'soon' }, 'expires_in'],
    [{ expires_in: '0s' }, 'expires_in'],
    [{ expires_in: '500ms' }, 'expires_in'],
    [{ expires_in: '3651d' }, 'expires_in'],
    [{ expires_in: 60 }, 'expires_in'],
    [{ name: '' }, 'name'],
    [{ name: 'a\nb' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ key: 'hlo_mine' }, 'key'],
  ])('create %j is 422 on %s', async (body, path) => {
    const before = await h.settledKeys();
    expectRefusedAt(await h.api.post('/v1/operator-keys', body), path);
    expect(await h.settledKeys()).toEqual(before);
  });

  test.each([
    [{ grace: 'later' }, 'grace'],
    [{ grace: '-1s' }, 'grace'],
    [{ grace: '31d' }, 'grace'],
    [{ grace: 10 }, 'grace'],
    [{ key: 'x' }, 'key'],
  ])('rotate %j is 422 on %s', async (body, path) => {
    const { id, key } = await create();
    const before = await h.settledKeys();
    expectRefusedAt(await h.api.post(`/v1/operator-keys/${id}/rotate`, body), path);
    expect(await h.settledKeys()).toEqual(before);
    await withKey(key).expect(200);
  });

  test('malformed JSON is 400 invalid_json', async () => {
    const res = await h.api
      .post('/v1/operator-keys')
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expectError(res.body, 'invalid_json');
  });

  test('an unknown or malformed id is 404 not_found', async () => {
    const { id } = await create();
    await h.api.delete(`/v1/operator-keys/${id}`).expect(204);
    for (const path of [
      `/v1/operator-keys/${id}`,
      '/v1/operator-keys/opk_00000000000000000000000000',
      '/v1/operator-keys/ep_00000000000000000000000000',
      '/v1/operator-keys/nope',
    ]) {
      for (const res of [await h.api.delete(path), await h.api.post(`${path}/rotate`, {})]) {
        expect(res.status).toBe(404);
        expectError(res.body, 'not_found');
      }
    }
  });

  test('a cursor the list did not hand out, or a bad limit, is 422', async () => {
    for (const cursor of ['x', 'opk_1', 'ep_00000000000000000000000000', ''])
      expectRefusedAt(
        await h.api.get(`/v1/operator-keys?cursor=${encodeURIComponent(cursor)}`),
        'cursor',
      );
    for (const limit of ['0', '251', '1e2', 'x'])
      expectRefusedAt(await h.api.get(`/v1/operator-keys?limit=${limit}`), 'limit');
  });
});

test('the list pages with next_cursor', async () => {
  for (let i = 0; i < 3; i++) await create({ name: `page ${i}` });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page = (await h.api.get(`/v1/operator-keys?limit=2${query}`).expect(200))
      .body as OperatorKeyList;
    expect(page.data.length).toBeLessThanOrEqual(2);
    seen.push(...page.data.map((k) => k.id));
    cursor = page.next_cursor;
  } while (cursor);
  expect(seen.length).toBeGreaterThanOrEqual(3);
  expect([...seen].sort()).toEqual(seen);
  expect(new Set(seen).size).toBe(seen.length);
});
