import type { Endpoint, EventWithDeliveries, Tenant, TenantKey } from '@hookline/api';
import request from 'supertest';
import { endpointBody, expectError, keysUnder, startApp, type Harness } from './harness';

// Tenants: per-tenant routing, the tenant routes, and tenant keys that see one tenant only
// (docs/api.md, "Tenants").

let h: Harness;
let clock = Date.now();

beforeAll(async () => {
  h = await startApp('tenants', { now: () => clock });
});
afterAll(() => h.close());
beforeEach(() => {
  clock = Date.now();
});

const createEndpoint = async (body: Record<string, unknown>) =>
  (await h.api.post('/v1/endpoints', endpointBody(body)).expect(201)).body as Endpoint;

const mintKey = async (tenant: string, expiresIn?: string) =>
  (
    await h.api
      .post(`/v1/tenants/${tenant}/keys`, expiresIn ? { expires_in: expiresIn } : {})
      .expect(201)
  ).body as TenantKey;

/** Requests with a tenant key. */
const as = (key: string) => ({
  get: (path: string) => request(h.app).get(path).set('Authorization', `Bearer ${key}`),
  post: (path: string, body: unknown = {}) =>
    request(h.app)
      .post(path)
      .set('Authorization', `Bearer ${key}`)
      .send(body as object),
  patch: (path: string, body: unknown = {}) =>
    request(h.app)
      .patch(path)
      .set('Authorization', `Bearer ${key}`)
      .send(body as object),
  delete: (path: string) => request(h.app).delete(path).set('Authorization', `Bearer ${key}`),
});

describe('routing', () => {
  test('an event reaches only its own tenant’s endpoints subscribed to its name', async () => {
    const a = await createEndpoint({ tenant_id: 'route-a', event_types: ['order.*'] });
    const b = await createEndpoint({ tenant_id: 'route-b', event_types: ['order.*'] });
    const none = await createEndpoint({ event_types: ['order.*'] });
    const published = async (body: Record<string, unknown>) => {
      const { id } = (await h.api.post('/v1/events', body).expect(202)).body as { id: string };
      const event = (await h.api.get(`/v1/events/${id}`).expect(200)).body as EventWithDeliveries;
      return { event, endpoints: event.deliveries.map((d) => d.endpoint_id).sort() };
    };
    const toA = await published({ name: 'order.paid', data: {}, tenant_id: 'route-a' });
    expect(toA.endpoints).toEqual([a.id]);
    expect(toA.event.tenant_id).toBe('route-a');
    expect(
      (await published({ name: 'order.paid', data: {}, tenant_id: 'route-b' })).endpoints,
    ).toEqual([b.id]);
    const untenanted = await published({ name: 'order.paid', data: {} });
    expect(untenanted.endpoints).toContain(none.id);
    expect(untenanted.endpoints).not.toContain(a.id);
    expect(untenanted.endpoints).not.toContain(b.id);
    expect(untenanted.event.tenant_id).toBeNull();
    // The body receivers get carries no tenant: the same shape for everyone.
    const job = await h.context.inFlight.get(toA.event.deliveries[0]!.id);
    expect(job?.data.body).toContain(toA.event.id);
    expect(job?.data.body).not.toContain('route-a');
  });

  test('endpoint_ids naming another tenant’s endpoint, or a tenant’s for an untenanted event, is 422 and writes nothing', async () => {
    const a = await createEndpoint({ tenant_id: 'named-a' });
    const b = await createEndpoint({ tenant_id: 'named-b' });
    const before = await h.settledKeys();
    for (const body of [
      { name: 'x', data: {}, tenant_id: 'named-a', endpoint_ids: [a.id, b.id] },
      { name: 'x', data: {}, endpoint_ids: [a.id] },
    ]) {
      const res = await h.api.post('/v1/events', body);
      expect(res.status).toBe(422);
      expectError(res.body, 'validation_failed');
    }
    expect(await h.settledKeys()).toEqual(before);
    const ok = await h.api
      .post('/v1/events', { name: 'x', data: {}, tenant_id: 'named-a', endpoint_ids: [a.id] })
      .expect(202);
    expect((ok.body as { deliveries: number }).deliveries).toBe(1);
  });

  test('the same Idempotency-Key from two tenants’ publishes makes two events', async () => {
    await createEndpoint({ tenant_id: 'idem-a' });
    await createEndpoint({ tenant_id: 'idem-b' });
    const publish = (tenant: string) =>
      h.api
        .post('/v1/events', { name: 'same.key', data: {}, tenant_id: tenant })
        .set('Idempotency-Key', 'order-42');
    const first = (await publish('idem-a').expect(202)).body as { id: string };
    const second = (await publish('idem-b').expect(202)).body as { id: string };
    expect(second.id).not.toBe(first.id);
    expect(((await publish('idem-a').expect(202)).body as { id: string }).id).toBe(first.id);
  });

  test('tenant_id is set at creation and never changed; a malformed one is 422', async () => {
    const a = await createEndpoint({ tenant_id: 'fixed' });
    const res = await h.api.patch(`/v1/endpoints/${a.id}`, { tenant_id: 'other' });
    expect(res.status).toBe(422);
    for (const bad of ['', 'has space', 'a/b', '-lead', 'x'.repeat(65), 7]) {
      const r = await h.api.post('/v1/endpoints', endpointBody({ tenant_id: bad }));
      expect(r.status).toBe(422);
      expect((r.body as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
        'tenant_id',
      );
    }
  });
});

describe('the tenant routes', () => {
  test('lists tenants with endpoints, pages them, and counts one', async () => {
    await createEndpoint({ tenant_id: 'list-1' });
    await createEndpoint({ tenant_id: 'list-2' });
    await createEndpoint({ tenant_id: 'list-2' });
    const seen: { id: string; endpoints: number }[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: typeof seen; next_cursor: string | null } = (
        await h.api.get(`/v1/tenants?limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
      ).body as { data: typeof seen; next_cursor: string | null };
      seen.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(
      expect.arrayContaining([
        { id: 'list-1', endpoints: 1 },
        { id: 'list-2', endpoints: 2 },
      ]),
    );
    const tenant = (await h.api.get('/v1/tenants/list-2').expect(200)).body as Tenant;
    expect(tenant).toEqual({ id: 'list-2', endpoints: 2, pending: 0, dead_letter: 0, weight: 1 });
    await h.api.post('/v1/events', { name: 'count.me', data: {}, tenant_id: 'list-2' }).expect(202);
    await h.logged();
    expect(((await h.api.get('/v1/tenants/list-2').expect(200)).body as Tenant).pending).toBe(2);
    expect((await h.api.get('/v1/tenants/nobody')).status).toBe(404);
    expect((await h.api.get('/v1/tenants/not%20an%20id')).status).toBe(404);
  });

  test('a tenant leaves the list with its last endpoint', async () => {
    const only = await createEndpoint({ tenant_id: 'leaving' });
    await h.api.delete(`/v1/endpoints/${only.id}`).expect(204);
    expect((await h.api.get('/v1/tenants/leaving')).status).toBe(404);
    const ids = (
      (await h.api.get('/v1/tenants?limit=250').expect(200)).body as {
        data: { id: string }[];
      }
    ).data.map((t) => t.id);
    expect(ids).not.toContain('leaving');
  });

  test('deleting a tenant removes its endpoints, drops its pending deliveries, revokes its keys and touches nobody else', async () => {
    const gone = await createEndpoint({ tenant_id: 'del-gone' });
    const keptEndpoint = await createEndpoint({ tenant_id: 'del-kept' });
    const key = await mintKey('del-gone');
    const { id: eventId } = (
      await h.api.post('/v1/events', { name: 'bye', data: {}, tenant_id: 'del-gone' }).expect(202)
    ).body as { id: string };
    const { id: keptEventId } = (
      await h.api.post('/v1/events', { name: 'stay', data: {}, tenant_id: 'del-kept' }).expect(202)
    ).body as { id: string };
    // The delete finds the waiting deliveries the log has (one not logged yet is dropped by the
    // dispatcher that takes it, which finds its endpoint gone).
    await h.logged();

    await h.api.delete('/v1/tenants/del-gone').expect(204);
    expect((await h.api.get(`/v1/endpoints/${gone.id}`)).status).toBe(404);
    expect((await h.api.get('/v1/tenants/del-gone')).status).toBe(404);
    expect((await as(key.key).get('/v1/endpoints')).status).toBe(401);
    const event = (await h.api.get(`/v1/events/${eventId}`).expect(200))
      .body as EventWithDeliveries;
    expect(event.deliveries.map((d) => d.status)).toEqual(['dead']);
    const kept = (await h.api.get(`/v1/events/${keptEventId}`).expect(200))
      .body as EventWithDeliveries;
    expect(kept.deliveries.map((d) => d.status)).toEqual(['pending']);
    expect((await h.context.inFlight.get(kept.deliveries[0]!.id))?.status).toBe('pending');
    expect((await h.api.get(`/v1/endpoints/${keptEndpoint.id}`)).status).toBe(200);
    await h.logged();
    expect(((await h.api.get('/v1/tenants/del-kept').expect(200)).body as Tenant).pending).toBe(1);
    expect((await h.api.delete('/v1/tenants/del-gone')).status).toBe(404);
  });

  test('keys expire within 30 days; a longer or malformed lifetime is 422', async () => {
    const key = await mintKey('life', '2h');
    expect(Date.parse(key.expires_at) - clock).toBe(2 * 3_600_000);
    expect(key.key).toMatch(/^hlt_/);
    expect(key.portal_url).toBe(
      `http://127.0.0.1/console#key=${key.key}`.replace('127.0.0.1', new URL(key.portal_url).host),
    );
    for (const expires_in of ['31d', '0s', 'soon', 5]) {
      const res = await h.api.post('/v1/tenants/life/keys', { expires_in });
      expect(res.status).toBe(422);
    }
  });
});

describe('a tenant key', () => {
  let key: string;
  let mine: Endpoint;
  let theirs: Endpoint;
  let untenanted: Endpoint;
  let theirEvent: string;
  let theirDelivery: string;
  let myEvent: string;
  /** Everything of the other tenant and of no tenant that must never appear in an answer. */
  let secrets: string[];

  beforeAll(async () => {
    mine = await createEndpoint({ tenant_id: 'acme', url: 'https://acme.example/hooks' });
    theirs = await createEndpoint({ tenant_id: 'globex', url: 'https://globex.example/hooks' });
    untenanted = await createEndpoint({ url: 'https://internal.example/hooks' });
    key = (await mintKey('acme')).key;
    const pub = async (tenant?: string) =>
      (
        (
          await h.api
            .post('/v1/events', {
              name: 'order.paid',
              data: { t: tenant ?? 'none' },
              tenant_id: tenant,
            })
            .expect(202)
        ).body as { id: string }
      ).id;
    myEvent = await pub('acme');
    theirEvent = await pub('globex');
    await pub();
    const their = (await h.api.get(`/v1/events/${theirEvent}`).expect(200))
      .body as EventWithDeliveries;
    theirDelivery = their.deliveries[0]!.id;
    // Dead-letter one delivery of each tenant.
    for (const eventId of [myEvent, theirEvent]) {
      const event = (await h.api.get(`/v1/events/${eventId}`).expect(200))
        .body as EventWithDeliveries;
      for (const d of event.deliveries) await h.settle(d.id, 'dead');
    }
    secrets = [
      'globex',
      theirs.id,
      theirs.url,
      theirEvent,
      theirDelivery,
      untenanted.id,
      untenanted.url,
    ];
  });

  /** No other tenant's data in the answer, beyond what the request itself named. */
  const expectNothingOfOthers = (res: request.Response, asked = '') => {
    for (const s of secrets) if (!asked.includes(s)) expect(res.text).not.toContain(s);
  };

  test('sees and manages its own tenant', async () => {
    expect((await as(key).get(`/v1/endpoints/${mine.id}`).expect(200)).body).toMatchObject({
      id: mine.id,
      tenant_id: 'acme',
    });
    const list = await as(key).get('/v1/endpoints').expect(200);
    expect((list.body as { data: Endpoint[] }).data.map((e) => e.id)).toEqual([mine.id]);
    const created = await as(key).post('/v1/endpoints', { url: 'https://acme.example/two' });
    expect(created.status).toBe(201);
    expect((created.body as Endpoint).tenant_id).toBe('acme');
    await as(key)
      .delete(`/v1/endpoints/${(created.body as Endpoint).id}`)
      .expect(204);
    const events = await as(key).get('/v1/events').expect(200);
    expect((events.body as { data: { id: string }[] }).data.map((e) => e.id)).toEqual([myEvent]);
    await as(key).get(`/v1/events/${myEvent}`).expect(200);
    expect((await as(key).get('/v1/tenants/acme').expect(200)).body).toMatchObject({
      id: 'acme',
      dead_letter: 1,
    });
    const dead = await as(key).get('/v1/dead-letter').expect(200);
    expect((dead.body as { data: unknown[] }).data).toHaveLength(1);
    for (const res of [list, events, dead]) expectNothingOfOthers(res);
  });

  test('is 404 on every route for another tenant’s objects and untenanted ones, 403 where it may not act', async () => {
    const notFound: [keyof ReturnType<typeof as>, string, unknown?][] = [];
    for (const ep of [theirs.id, untenanted.id]) {
      notFound.push(
        ['get', `/v1/endpoints/${ep}`],
        ['patch', `/v1/endpoints/${ep}`, { description: 'mine now' }],
        ['delete', `/v1/endpoints/${ep}`],
        ['get', `/v1/endpoints/${ep}/secret`],
        ['post', `/v1/endpoints/${ep}/secret/rotate`],
        ['post', `/v1/endpoints/${ep}/test`, { name: 'x' }],
        ['post', `/v1/endpoints/${ep}/recover`, { since: '2020-01-01T00:00:00Z' }],
        ['get', `/v1/endpoints/${ep}/deliveries`],
        ['get', `/v1/dead-letter?endpoint_id=${ep}`],
        ['post', '/v1/dead-letter/replay', { endpoint_id: ep }],
      );
    }
    notFound.push(
      ['get', '/v1/tenants/globex'],
      ['get', `/v1/events/${theirEvent}`],
      ['get', `/v1/deliveries/${theirDelivery}`],
      ['post', `/v1/deliveries/${theirDelivery}/retry`],
    );
    for (const [method, path, body] of notFound) {
      const res = await (method === 'get' || method === 'delete'
        ? as(key)[method](path)
        : as(key)[method](path, body));
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expectError(res.body, 'not_found');
      expectNothingOfOthers(res, path + JSON.stringify(body ?? {}));
    }
    const forbidden: [keyof ReturnType<typeof as>, string, unknown?][] = [
      ['post', '/v1/events', { name: 'x', data: {} }],
      ['post', '/v1/events', { name: 'x', data: {}, tenant_id: 'acme' }],
      ['post', '/v1/events/batch', { events: [{ name: 'x', data: {} }] }],
      ['get', '/v1/tenants'],
      ['delete', '/v1/tenants/globex'],
      ['post', '/v1/tenants/acme/keys'],
      ['delete', '/v1/tenants/globex/keys'],
      ['post', '/v1/endpoints', { url: 'https://x.example/', tenant_id: 'globex' }],
      ['get', '/v1/endpoints?tenant_id=globex'],
      ['get', '/v1/events?tenant_id=globex'],
      ['get', '/v1/dead-letter?tenant_id=globex'],
      ['post', '/v1/dead-letter/replay', { tenant_id: 'globex' }],
    ];
    for (const [method, path, body] of forbidden) {
      const res = await (method === 'get' || method === 'delete'
        ? as(key)[method](path)
        : as(key)[method](path, body));
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expectError(res.body, 'forbidden');
      expectNothingOfOthers(res, path + JSON.stringify(body ?? {}));
    }
    // Naming another tenant's dead delivery replays nothing of it.
    const replay = await as(key).post('/v1/dead-letter/replay', { ids: [theirDelivery] });
    expect(replay.body).toEqual({ replayed: 0, dry_run: false });
    expect((await h.context.deliveries.getDelivery(theirDelivery))?.status).toBe('dead');
    expect(
      await h.context.queues.of(theirDelivery).deliveries.getJob(theirDelivery),
    ).toBeUndefined();
    // And nothing was changed by any of it.
    const { secret, ...view } = theirs as Endpoint & { secret: string };
    expect((await h.api.get(`/v1/endpoints/${theirs.id}`).expect(200)).body).toEqual(view);
    expect((await h.api.get(`/v1/endpoints/${theirs.id}/secret`).expect(200)).body).toEqual({
      key: secret,
    });
  });

  test('an expired, revoked, malformed or unknown tenant key is 401', async () => {
    clock = Date.now() - 2 * 3_600_000;
    const expired = (await mintKey('acme', '1h')).key; // minted two hours ago, for one hour
    clock = Date.now();
    const revoked = (await mintKey('revoked-t')).key;
    await h.api.delete('/v1/tenants/revoked-t/keys').expect(204);
    const valid = await mintKey('acme');
    const tampered = `${valid.key.slice(0, -1)}${valid.key.endsWith('A') ? 'B' : 'A'}`;
    const unknown = `hlt_${'0'.repeat(24)}_${'A'.repeat(43)}`;
    for (const k of [expired, revoked, tampered, unknown, 'hlt_short']) {
      const res = await as(k).get('/v1/endpoints');
      expect(res.status).toBe(401);
      expectError(res.body, 'unauthorized');
    }
    await as(valid.key).get('/v1/endpoints').expect(200);
  });

  test('is stored hashed: Redis holds no tenant key', async () => {
    const { key: fresh } = await mintKey('hashed');
    // The secret is base64url, which may itself contain '_': it is everything after the id.
    const secret = fresh.split('_').slice(2).join('_');
    expect(secret.length).toBeGreaterThanOrEqual(43);
    for (const k of await keysUnder(h.prefix)) {
      if ((await h.context.redis.type(k)) !== 'string') continue;
      expect(await h.context.redis.get(k)).not.toContain(secret);
    }
  });
});

describe('weight', () => {
  test("PUT sets a tenant's weight, shown with it; bad weights are refused and change nothing", async () => {
    await createEndpoint({ tenant_id: 'weighty' });
    const read = async () =>
      ((await h.api.get('/v1/tenants/weighty').expect(200)).body as Tenant).weight;
    expect(await read()).toBe(1);
    const set = await h.api.put('/v1/tenants/weighty', { weight: 5 }).expect(200);
    expect(set.body).toMatchObject({ id: 'weighty', endpoints: 1, weight: 5 });
    expect(await read()).toBe(5);
    for (const body of [
      { weight: 0 },
      { weight: 101 },
      { weight: 1.5 },
      { weight: '2' },
      {},
      { weight: 2, x: 1 },
    ]) {
      const res = await h.api.put('/v1/tenants/weighty', body).expect(422);
      expectError(res.body, 'validation_failed');
    }
    expect(await read()).toBe(5);
    await h.api.put('/v1/tenants/weighty', { weight: 1 }).expect(200);
    expect(await read()).toBe(1);
  });

  test('a tenant without endpoints is 404; a tenant key may not set weights; a deleted tenant forgets its weight', async () => {
    expectError(
      (await h.api.put('/v1/tenants/nobody-here', { weight: 2 }).expect(404)).body,
      'not_found',
    );
    await createEndpoint({ tenant_id: 'weight-gone' });
    const key = await mintKey('weight-gone');
    const res = await request(h.app)
      .put('/v1/tenants/weight-gone')
      .set('Authorization', `Bearer ${key.key}`)
      .send({ weight: 9 })
      .expect(403);
    expectError(res.body, 'forbidden');
    await h.api.put('/v1/tenants/weight-gone', { weight: 3 }).expect(200);
    await h.api.delete('/v1/tenants/weight-gone').expect(204);
    expect(await h.context.redis.exists(h.context.keys.tenantWeight('weight-gone'))).toBe(0);
    await createEndpoint({ tenant_id: 'weight-gone' });
    expect(((await h.api.get('/v1/tenants/weight-gone').expect(200)).body as Tenant).weight).toBe(
      1,
    );
  });
});
