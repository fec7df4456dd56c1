import type { Attempt, Endpoint, TenantKey } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import request from 'supertest';
import { endpointBody, expectError, startApp, type Harness } from './harness';

// Tenant quotas (README, "Tenant quotas"): how many endpoints a tenant may have, whoever creates
// them, and what a tenant's keys may send again and test-send a minute. Small limits, so that
// each is reached in a few requests; the clock is fixed where a figure depends on it.

const MAX_ENDPOINTS = 3;
const RETRIES_PER_MINUTE = 4;
const TEST_SENDS_PER_MINUTE = 3;

let h: Harness;
/** The app's clock: the real one, unless a test fixes it. */
let fixedNow: number | undefined;

beforeAll(async () => {
  h = await startApp('quotas', {
    now: () => fixedNow ?? Date.now(),
    env: {
      HOOKLINE_TENANT_MAX_ENDPOINTS: String(MAX_ENDPOINTS),
      HOOKLINE_TENANT_RETRIES_PER_MINUTE: String(RETRIES_PER_MINUTE),
      HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE: String(TEST_SENDS_PER_MINUTE),
    },
  });
});
afterAll(() => h.close());
beforeEach(() => {
  fixedNow = undefined;
});

let tenants = 0;
/** A tenant of the test's own, so that no two tests share a budget or a count. */
const newTenant = () => `quota-${++tenants}-${Date.now()}`;

const mintKey = async (tenant: string) =>
  ((await h.api.post(`/v1/tenants/${tenant}/keys`, {}).expect(201)).body as TenantKey).key;

/** Requests with a tenant key. */
const as = (key: string) => ({
  post: (path: string, body: unknown = {}) =>
    request(h.app)
      .post(path)
      .set('Authorization', `Bearer ${key}`)
      .send(body as object),
});

const createEndpoint = async (body: Record<string, unknown>) =>
  (await h.api.post('/v1/endpoints', endpointBody(body)).expect(201)).body as Endpoint;

const endpointsOf = async (tenant: string) => (await h.context.tenants.endpointIds(tenant)).length;

/** A 429 `rate_limited` with a `Retry-After` of whole seconds: answers them. */
function rateLimited(res: request.Response): number {
  expect(res.status).toBe(429);
  expectError(res.body, 'rate_limited');
  expect(res.get('Retry-After')).toMatch(/^[1-9][0-9]*$/);
  return Number(res.get('Retry-After'));
}

const deadAttempt: Attempt = {
  number: 1,
  at: new Date().toISOString(),
  duration_ms: 12,
  status_code: 500,
  error: null,
  response_excerpt: 'boom',
};

/** `count` dead deliveries of one endpoint of `tenant`, in the log. */
async function deadDeliveries(tenant: string, count: number) {
  const endpoint = await createEndpoint({ tenant_id: tenant, event_types: ['dead.*'] });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = (
      await h.api.post('/v1/events', { name: 'dead.one', data: { i }, tenant_id: tenant })
    ).body as { id: string };
    ids.push(deliveryIdFor(id, endpoint.id));
  }
  for (const id of ids) await h.settle(id, 'dead', deadAttempt);
  await h.logged();
  return { endpoint: endpoint.id, ids };
}

const statusOf = async (id: string) =>
  ((await h.api.get(`/v1/deliveries/${id}`).expect(200)).body as { status: string }).status;

describe('endpoints per tenant', () => {
  test('a tenant at its most cannot get one more, from its key or an operator key: 409 quota_exceeded, nothing written', async () => {
    const tenant = newTenant();
    const key = await mintKey(tenant);
    for (let i = 0; i < MAX_ENDPOINTS; i++) await createEndpoint({ tenant_id: tenant });
    const before = await h.settledKeys();

    const byKey = await as(key).post('/v1/endpoints', endpointBody());
    expect(byKey.status).toBe(409);
    expectError(byKey.body, 'quota_exceeded');
    expect(byKey.get('Retry-After')).toBeUndefined();
    const byOperator = await h.api.post('/v1/endpoints', endpointBody({ tenant_id: tenant }));
    expect(byOperator.status).toBe(409);
    expectError(byOperator.body, 'quota_exceeded');

    expect(await endpointsOf(tenant)).toBe(MAX_ENDPOINTS);
    expect(await h.settledKeys()).toEqual(before);
  });

  test('deleting one makes room for one', async () => {
    const tenant = newTenant();
    const made = [];
    for (let i = 0; i < MAX_ENDPOINTS; i++) made.push(await createEndpoint({ tenant_id: tenant }));
    await h.api.delete(`/v1/endpoints/${made[0]!.id}`).expect(204);
    await createEndpoint({ tenant_id: tenant });
    await h.api.post('/v1/endpoints', endpointBody({ tenant_id: tenant })).expect(409);
  });

  test('concurrent creates one short of the most: exactly one gets through', async () => {
    const tenant = newTenant();
    const key = await mintKey(tenant);
    for (let i = 0; i < MAX_ENDPOINTS - 1; i++) await createEndpoint({ tenant_id: tenant });
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () => as(key).post('/v1/endpoints', endpointBody())),
      ...Array.from({ length: 4 }, () =>
        h.api.post('/v1/endpoints', endpointBody({ tenant_id: tenant })),
      ),
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([201, ...Array<number>(7).fill(409)]);
    expect(await endpointsOf(tenant)).toBe(MAX_ENDPOINTS);
  });

  test('another tenant, and untenanted endpoints, are not held by a full tenant', async () => {
    const full = newTenant();
    for (let i = 0; i < MAX_ENDPOINTS; i++) await createEndpoint({ tenant_id: full });
    const other = newTenant();
    await as(await mintKey(other))
      .post('/v1/endpoints', endpointBody())
      .expect(201);
    for (let i = 0; i <= MAX_ENDPOINTS; i++) await createEndpoint({});
  });
});

describe('test sends a minute', () => {
  /** A tenant's endpoint, and `send`, a test send to it with a key of the tenant. */
  async function tenantEndpoint() {
    const tenant = newTenant();
    const key = await mintKey(tenant);
    const { id } = await createEndpoint({ tenant_id: tenant });
    const send = (by = key) => as(by).post(`/v1/endpoints/${id}/test`, { name: 'quota.test' });
    return { tenant, id, send };
  }

  /** {@link tenantEndpoint}, its tenant's test sends of the minute made. */
  async function spentTenant() {
    const spent = await tenantEndpoint();
    for (let i = 0; i < TEST_SENDS_PER_MINUTE; i++) await spent.send().expect(202);
    return spent;
  }

  test("a tenant key's test send past the budget is 429 rate_limited with Retry-After, and sends nothing", async () => {
    fixedNow = Date.now();
    const { send } = await spentTenant();
    const before = await h.settledKeys();
    // 3 a minute: one comes back every 20 s.
    expect(rateLimited(await send())).toBe(20);
    expect(await h.settledKeys()).toEqual(before);
  });

  test('the budget is back a unit at a time, when Retry-After said', async () => {
    fixedNow = Date.now();
    const { send } = await spentTenant();
    const wait = rateLimited(await send());
    fixedNow += wait * 1000 - 1;
    rateLimited(await send());
    fixedNow += 1;
    await send().expect(202);
    rateLimited(await send());
  });

  test("a tenant's keys share one budget: a new key buys no more", async () => {
    const { tenant, send } = await tenantEndpoint();
    for (let i = 0; i < TEST_SENDS_PER_MINUTE; i++) await send(await mintKey(tenant)).expect(202);
    rateLimited(await send(await mintKey(tenant)));
  });

  test('operator keys, and other tenants, are not limited by a tenant that is out', async () => {
    const { id, send } = await spentTenant();
    rateLimited(await send());
    for (let i = 0; i <= TEST_SENDS_PER_MINUTE; i++)
      await h.api.post(`/v1/endpoints/${id}/test`, { name: 'quota.test' }).expect(202);
    await (await tenantEndpoint()).send().expect(202);
  });
});

describe('retries a minute', () => {
  test("a tenant key's retry past the budget is 429 with Retry-After; an operator's and another tenant's go on", async () => {
    fixedNow = Date.now();
    const tenant = newTenant();
    const key = await mintKey(tenant);
    const { ids } = await deadDeliveries(tenant, 1);
    const [id] = ids as [string];
    for (let i = 0; i < RETRIES_PER_MINUTE; i++)
      await as(key).post(`/v1/deliveries/${id}/retry`).expect(202);
    // 4 a minute: one comes back every 15 s.
    expect(rateLimited(await as(key).post(`/v1/deliveries/${id}/retry`))).toBe(15);

    await h.api.post(`/v1/deliveries/${id}/retry`).expect(202);
    const other = newTenant();
    const { ids: otherIds } = await deadDeliveries(other, 1);
    await as(await mintKey(other))
      .post(`/v1/deliveries/${otherIds[0]!}/retry`)
      .expect(202);
  });

  test('a replay counts every delivery it sends: it sends what the budget holds, oldest first, then 429', async () => {
    fixedNow = Date.now();
    const tenant = newTenant();
    const key = await mintKey(tenant);
    const { ids } = await deadDeliveries(tenant, RETRIES_PER_MINUTE + 2);

    // A dry run sends nothing and costs nothing.
    expect(
      (await as(key).post('/v1/dead-letter/replay', { dry_run: true }).expect(202)).body,
    ).toEqual({ replayed: RETRIES_PER_MINUTE + 2, dry_run: true });
    expect((await as(key).post('/v1/dead-letter/replay').expect(202)).body).toEqual({
      replayed: RETRIES_PER_MINUTE,
      dry_run: false,
    });
    // Oldest first: by id, which sorts by creation (and at random within one ms).
    const statuses = await Promise.all([...ids].sort().map(statusOf));
    expect(statuses).toEqual([
      ...Array<string>(RETRIES_PER_MINUTE).fill('pending'),
      'dead',
      'dead',
    ]);
    rateLimited(await as(key).post('/v1/dead-letter/replay'));
    expect((await Promise.all(ids.map(statusOf))).filter((s) => s === 'dead')).toHaveLength(2);
  });

  test('a recover counts every delivery it sends, as a replay does', async () => {
    fixedNow = Date.now();
    const tenant = newTenant();
    const key = await mintKey(tenant);
    const { endpoint, ids } = await deadDeliveries(tenant, RETRIES_PER_MINUTE + 1);
    const since = new Date(fixedNow - 3_600_000).toISOString();
    expect(
      (await as(key).post(`/v1/endpoints/${endpoint}/recover`, { since }).expect(202)).body,
    ).toEqual({ recovered: RETRIES_PER_MINUTE });
    const statuses = await Promise.all(ids.map(statusOf));
    expect(statuses.filter((s) => s === 'dead')).toHaveLength(1);
    rateLimited(await as(key).post(`/v1/endpoints/${endpoint}/recover`, { since }));
  });

  test('an operator key replays everything, however much', async () => {
    const tenant = newTenant();
    const { ids } = await deadDeliveries(tenant, RETRIES_PER_MINUTE + 2);
    expect(
      (await h.api.post('/v1/dead-letter/replay', { tenant_id: tenant }).expect(202)).body,
    ).toEqual({ replayed: ids.length, dry_run: false });
  });
});
