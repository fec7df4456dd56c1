import type { Hookline } from '../src';
import { apiError, Harness } from './harness';

// Tenants through the client against the real producer, Redis and log (no dispatcher: deliveries
// stay pending, which `tenants.get` counts from the log, once it has them), and a client built
// with a minted tenant key.

let h: Harness;
let hookline: Hookline;

beforeAll(async () => {
  h = await Harness.start('client-tnt');
  hookline = h.client();
});
afterAll(() => h.close());

const endpointFor = (tenant_id: string, path = tenant_id) =>
  hookline.endpoints.create({ url: `https://example.com/${path}`, tenant_id });

describe('operator key', () => {
  test('tenants.list pages through the tenants that have endpoints, by id, with their counts', async () => {
    await endpointFor('list-b');
    await endpointFor('list-a');
    await endpointFor('list-a', 'list-a-2');
    await endpointFor('list-c');
    const tenants = await hookline.tenants.list({ limit: 1 }).toArray();
    expect(tenants.filter((t) => t.id.startsWith('list-'))).toEqual([
      { id: 'list-a', endpoints: 2 },
      { id: 'list-b', endpoints: 1 },
      { id: 'list-c', endpoints: 1 },
    ]);
  });

  test("tenants.get counts the tenant's endpoints, pending deliveries and dead letter", async () => {
    const endpoint = await endpointFor('counted');
    await endpointFor('counted-other');
    await hookline.events.publish({ name: 'order.filled', data: {}, tenant_id: 'counted' });
    await hookline.events.publishBatch([
      { name: 'order.paid', data: {}, tenant_id: 'counted' },
      { name: 'order.paid', data: {}, tenant_id: 'counted-other' },
    ]);
    await h.logged();
    expect(await hookline.tenants.get('counted')).toEqual({
      id: 'counted',
      endpoints: 1,
      pending: 2,
      dead_letter: 0,
      weight: 1,
    });
    expect(await hookline.tenants.update('counted', { weight: 4 })).toMatchObject({
      id: 'counted',
      weight: 4,
    });
    expect((await hookline.tenants.get('counted')).weight).toBe(4);
    expect(await apiError(hookline.tenants.update('counted', { weight: 0 }))).toMatchObject({
      status: 422,
      code: 'validation_failed',
    });
    const events = await hookline.events.list({ tenant_id: 'counted' }).toArray();
    expect(events.map((e) => [e.name, e.tenant_id])).toEqual([
      ['order.paid', 'counted'],
      ['order.filled', 'counted'],
    ]);
    expect(await hookline.endpoints.list({ tenant_id: 'counted' }).toArray()).toEqual([
      expect.objectContaining({ id: endpoint.id, tenant_id: 'counted' }),
    ]);
  });

  test('an event for a tenant reaches only that tenant’s endpoint', async () => {
    const acme = await endpointFor('route-acme');
    const globex = await endpointFor('route-globex');
    const { id, deliveries } = await hookline.events.publish({
      name: 'order.filled',
      data: {},
      tenant_id: 'route-acme',
    });
    expect(deliveries).toBe(1);
    const event = await hookline.events.get(id);
    expect(event.tenant_id).toBe('route-acme');
    expect(event.deliveries.map((d) => d.endpoint_id)).toEqual([acme.id]);
    expect(event.deliveries.map((d) => d.endpoint_id)).not.toContain(globex.id);
  });

  test('tenants.get of a tenant without endpoints, or of a malformed id, is not_found', async () => {
    expect(await apiError(hookline.tenants.get('nobody'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(await apiError(hookline.tenants.get('../v1/endpoints'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  test('tenants.createKey mints an hlt_ key for the tenant and its portal URL', async () => {
    await endpointFor('minted');
    const before = Date.now();
    const minted = await hookline.tenants.createKey('minted', { expires_in: '1h' });
    expect(minted.key).toMatch(/^hlt_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    expect(minted.tenant_id).toBe('minted');
    const expires = Date.parse(minted.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1_000);
    expect(minted.portal_url).toBe(`${h.url}/console#key=${encodeURIComponent(minted.key)}`);

    const byDefault = await hookline.tenants.createKey('minted');
    expect(Date.parse(byDefault.expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  test('tenants.createKey refuses a lifetime over 30 days with validation_failed on expires_in', async () => {
    const error = await apiError(hookline.tenants.createKey('minted', { expires_in: '31d' }));
    expect(error).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(error.details.map((d) => d.path)).toEqual(['expires_in']);
  });

  test('tenants.delete removes the tenant’s endpoints and keys, and nothing of another tenant', async () => {
    const gone = await endpointFor('leaving');
    const kept = await endpointFor('staying');
    const { key } = await hookline.tenants.createKey('leaving');
    await expect(hookline.tenants.delete('leaving')).resolves.toBeUndefined();

    expect(await apiError(hookline.endpoints.get(gone.id))).toMatchObject({ code: 'not_found' });
    expect(await apiError(hookline.tenants.get('leaving'))).toMatchObject({ code: 'not_found' });
    expect(await hookline.endpoints.get(kept.id)).toMatchObject({ tenant_id: 'staying' });
    expect(await apiError(h.client({ apiKey: key }).endpoints.list().toArray())).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    expect(await apiError(hookline.tenants.delete('leaving'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  test('tenants.revokeKeys ends every key of the tenant at once; its endpoints stay', async () => {
    const endpoint = await endpointFor('revoked');
    const keys = [
      await hookline.tenants.createKey('revoked'),
      await hookline.tenants.createKey('revoked'),
    ];
    expect(await h.client({ apiKey: keys[0]!.key }).endpoints.list().toArray()).toHaveLength(1);
    await expect(hookline.tenants.revokeKeys('revoked')).resolves.toBeUndefined();
    for (const { key } of keys) {
      expect(await apiError(h.client({ apiKey: key }).endpoints.get(endpoint.id))).toMatchObject({
        status: 401,
        code: 'unauthorized',
      });
    }
    expect(await hookline.endpoints.get(endpoint.id)).toMatchObject({ id: endpoint.id });
  });
});

describe('a client built with a tenant key', () => {
  let acme: Hookline;
  let acmeEndpointId: string;
  let globexEndpointId: string;

  beforeAll(async () => {
    acmeEndpointId = (await endpointFor('key-acme')).id;
    globexEndpointId = (await endpointFor('key-globex')).id;
    await hookline.endpoints.create({ url: 'https://example.com/untenanted' });
    const { key } = await hookline.tenants.createKey('key-acme');
    acme = h.client({ apiKey: key });
  });

  test("lists only its tenant's endpoints", async () => {
    const listed = await acme.endpoints.list().toArray();
    expect(listed.map((e) => e.id)).toEqual([acmeEndpointId]);
    expect(await acme.endpoints.list({ tenant_id: 'key-acme' }).toArray()).toEqual(listed);
  });

  test('creates endpoints in its own tenant', async () => {
    const created = await acme.endpoints.create({ url: 'https://example.com/acme-2' });
    expect(created.tenant_id).toBe('key-acme');
    expect(created.secret).toMatch(/^whsec_/);
    expect(await hookline.endpoints.get(created.id)).toMatchObject({ tenant_id: 'key-acme' });
    expect(
      (await hookline.endpoints.list({ tenant_id: 'key-acme' }).toArray()).map((e) => e.id),
    ).toContain(created.id);
  });

  test("gets 404 for another tenant's endpoint, as for an unknown one", async () => {
    expect(await apiError(acme.endpoints.get(globexEndpointId))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(await apiError(acme.endpoints.delete(globexEndpointId))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(await acme.endpoints.get(acmeEndpointId)).toMatchObject({ tenant_id: 'key-acme' });
  });

  test('gets 403 forbidden on publish, on the tenant routes and for another tenant_id', async () => {
    for (const call of [
      acme.events.publish({ name: 'order.filled', data: {} }),
      acme.events.publish({ name: 'order.filled', data: {}, tenant_id: 'key-acme' }),
      acme.events.publishBatch([{ name: 'order.filled', data: {} }]),
      acme.tenants.list().toArray(),
      acme.tenants.createKey('key-acme'),
      acme.tenants.update('key-acme', { weight: 3 }),
      acme.endpoints.list({ tenant_id: 'key-globex' }).toArray(),
      acme.endpoints.create({ url: 'https://example.com/x', tenant_id: 'key-globex' }),
    ]) {
      expect(await apiError(call)).toMatchObject({ status: 403, code: 'forbidden' });
    }
    // Its own tenant's counts it may read (a portal shows them); another's is not there for it.
    expect(await acme.tenants.get('key-acme')).toMatchObject({ id: 'key-acme' });
    expect(await apiError(acme.tenants.get('key-globex'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  test("reads its tenant's events only", async () => {
    await hookline.events.publish({ name: 'order.filled', data: { n: 1 }, tenant_id: 'key-acme' });
    await hookline.events.publish({
      name: 'order.filled',
      data: { n: 2 },
      tenant_id: 'key-globex',
    });
    await h.logged();
    const events = await acme.events.list().toArray();
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.tenant_id))).toEqual(new Set(['key-acme']));
  });
});
