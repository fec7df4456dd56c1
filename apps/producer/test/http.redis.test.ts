import { ROUTES, type TenantKey } from '@hookline/api';
import request from 'supertest';
import { API_KEY, AUTH, call, expectError, startApp, type Harness } from './harness';

let h: Harness;
let endpointId: string;

beforeAll(async () => {
  h = await startApp('http');
  endpointId = (
    (await h.api.post('/v1/endpoints', { url: 'https://example.com/a' }).expect(201)).body as {
      id: string;
    }
  ).id;
});
afterAll(() => h.close());

/**
 * Every route of the table, its path parameters filled with text that names nothing: the key is
 * checked before the path, so each is still refused for its key, never 404.
 */
const ROUTE_CALLS = ROUTES.map(
  (route) => [route.method, route.path.replace(/\{\w+\}/g, 'x'), route.tenantKey] as const,
);

describe('authentication', () => {
  let tenantKey: string;
  beforeAll(async () => {
    tenantKey = ((await h.api.post('/v1/tenants/acme/keys', {}).expect(201)).body as TenantKey).key;
  });

  test.each(ROUTE_CALLS)('%s %s without a key is 401 unauthorized', async (method, path) => {
    const res = await call(h.app, method, path).send({});
    expect(res.status).toBe(401);
    expectError(res.body, 'unauthorized');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  test.each(ROUTE_CALLS)('%s %s with a wrong key is 401 unauthorized', async (method, path) => {
    const res = await call(h.app, method, path)
      .set('Authorization', `Bearer ${'x'.repeat(32)}`)
      .send({});
    expect(res.status).toBe(401);
    expectError(res.body, 'unauthorized');
  });

  test.each(ROUTE_CALLS.filter(([, , tenant]) => !tenant))(
    '%s %s with a tenant key is 403 forbidden',
    async (method, path) => {
      const res = await call(h.app, method, path)
        .set('Authorization', `Bearer ${tenantKey}`)
        .send({});
      expect(res.status).toBe(403);
      expectError(res.body, 'forbidden');
    },
  );

  test.each(ROUTE_CALLS.filter(([, , tenant]) => tenant))(
    '%s %s with a tenant key is neither 401 nor 403',
    async (method, path) => {
      const res = await call(h.app, method, path)
        .set('Authorization', `Bearer ${tenantKey}`)
        .send({});
      expect([401, 403]).not.toContain(res.status);
    },
  );

  test('a key that is a prefix or an extension of the right one is refused', async () => {
    for (const key of [API_KEY.slice(0, -1), `${API_KEY}k`, '', ' ']) {
      const res = await request(h.app).get('/v1/endpoints').set('Authorization', `Bearer ${key}`);
      expect(res.status).toBe(401);
    }
  });

  test('other schemes are refused and the Bearer scheme is case-insensitive', async () => {
    await request(h.app).get('/v1/endpoints').set('Authorization', `Basic ${API_KEY}`).expect(401);
    await request(h.app).get('/v1/endpoints').set('Authorization', API_KEY).expect(401);
    await request(h.app).get('/v1/endpoints').set('Authorization', `bearer ${API_KEY}`).expect(200);
  });

  test('health, readiness and metrics need no key', async () => {
    await request(h.app).get('/healthz').expect(200);
    await request(h.app).get('/readyz').expect(200);
    await request(h.app).get('/metrics').expect(200);
  });
});

describe('errors', () => {
  test('an unknown route is 404 not_found', async () => {
    const res = await request(h.app).get('/nope').set(AUTH);
    expect(res.status).toBe(404);
    expectError(res.body, 'not_found');
    expectError((await request(h.app).put('/v1/endpoints').set(AUTH)).body, 'not_found');
  });

  test('malformed JSON is 400 invalid_json', async () => {
    const res = await h.api
      .post('/v1/endpoints')
      .set('Content-Type', 'application/json')
      .send('{"url": ');
    expect(res.status).toBe(400);
    expectError(res.body, 'invalid_json');
  });

  test('a body that is JSON but not an object is 422 validation_failed', async () => {
    for (const body of ['[]', '"x"', '42', 'null', 'true']) {
      const res = await h.api.post('/v1/events').set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(422);
      expectError(res.body, 'validation_failed');
    }
  });

  // Known wrong, so `failing`: the replay route reads a JSON `null` as no body, `{}`.
  test('a JSON null to a route whose fields are all optional is 422 too', async () => {
    const res = await h.api
      .post('/v1/dead-letter/replay')
      .set('Content-Type', 'application/json')
      .send('null');
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
  });

  test('a body in another content type is 415 unsupported_media_type', async () => {
    const res = await h.api
      .post('/v1/endpoints')
      .set('Content-Type', 'text/plain')
      .send('url=https://example.com');
    expect(res.status).toBe(415);
    expectError(res.body, 'unsupported_media_type');
    const form = await h.api.post('/v1/events').type('form').send({ name: 'a' });
    expect(form.status).toBe(415);
  });

  test('a body with no content type is 415, and no body at all means {}', async () => {
    const withBody = await request(h.app)
      .post(`/v1/endpoints/${endpointId}/secret/rotate`)
      .set(AUTH)
      .set('Content-Length', '2')
      .unset('Content-Type')
      .send(Buffer.from('{}'));
    expect(withBody.status).toBe(415);
    const empty = await request(h.app).post(`/v1/endpoints/${endpointId}/secret/rotate`).set(AUTH);
    expect(empty.status).toBe(200);
  });

  test('an empty body with a JSON content type means {}', async () => {
    const res = await h.api
      .post('/v1/dead-letter/replay')
      .set('Content-Type', 'application/json')
      .send('');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ replayed: 0, dry_run: false });
  });

  test('application/*+json is JSON, and a charset other than UTF is 415', async () => {
    await h.api
      .post('/v1/dead-letter/replay')
      .set('Content-Type', 'application/merge-patch+json')
      .send('{}')
      .expect(202);
    const res = await h.api
      .post('/v1/dead-letter/replay')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}');
    expect(res.status).toBe(415);
    expectError(res.body, 'unsupported_media_type');
  });

  test('a body over 1 MiB is 413 payload_too_large', async () => {
    const body = JSON.stringify({ name: 'big.one', data: { blob: 'x'.repeat(1024 * 1024) } });
    const res = await h.api.post('/v1/events').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(413);
    expectError(res.body, 'payload_too_large');
  });

  test('a body of just under 1 MiB is accepted', async () => {
    const res = await h.api.post('/v1/events', {
      name: 'big.one',
      data: { blob: 'x'.repeat(1024 * 1024 - 100) },
    });
    expect(res.status).toBe(202);
  });

  test('a body nested deeper than the limit is 422, not a stack overflow', async () => {
    const deep = `{"name":"a","data":{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    const res = await h.api.post('/v1/events').set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
  });

  test('zod failures are 422 with a detail per bad field at its path', async () => {
    const res = await h.api.post('/v1/endpoints', {
      url: 'ftp://example.com',
      headers: { 'X-Foo': 'a\nb', 'Webhook-Id': 'mine' },
      surprise: 1,
    });
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    const paths = (res.body as { error: { details: { path: string }[] } }).error.details.map(
      (d) => d.path,
    );
    expect(paths).toEqual(
      expect.arrayContaining(['url', 'headers.X-Foo', 'headers.Webhook-Id', 'surprise']),
    );
  });

  test('query parameters given twice, nested or unknown are 422, not a crash', async () => {
    for (const query of [
      'limit=1&limit=2',
      'limit[a]=1',
      'cursor[]=x',
      'limit=abc',
      'limit=0',
      'limit=1000',
      'foo=bar',
    ]) {
      const res = await h.api.get(`/v1/endpoints?${query}`);
      expect(res.status).toBe(422);
      expectError(res.body, 'validation_failed');
    }
    const status = await h.api.get(
      `/v1/endpoints/${endpointId}/deliveries?status=pending&status=dead`,
    );
    expect(status.status).toBe(422);
  });

  test('malformed ids and undecodable paths are 404 not_found', async () => {
    for (const path of [
      '/v1/endpoints/nope',
      '/v1/endpoints/ep_x',
      '/v1/endpoints/whd_01JH0000000000000000000000',
      '/v1/endpoints/%E0%A4%A',
      '/v1/events/ep_1',
    ]) {
      const res = await h.api.get(path);
      expect(res.status).toBe(404);
      expectError(res.body, 'not_found');
    }
  });
});

describe('health and metrics', () => {
  test('/healthz is 200 and /readyz is 200 while Redis answers', async () => {
    expect((await request(h.app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(h.app).get('/readyz')).body).toEqual({ status: 'ready' });
  });

  test('requests are counted by route pattern and status, never by raw path', async () => {
    await h.api.get(`/v1/endpoints/${endpointId}`).expect(200);
    await h.api.get('/v1/endpoints/ep_01JH0000000000000000000000').expect(404);
    await request(h.app).get(`/v1/endpoints/${endpointId}`).expect(401);
    await h.api.get('/no/such/route').expect(404);
    const text = (await request(h.app).get('/metrics').expect(200)).text;
    expect(text).toContain('hookline_http_requests_total{route="/v1/endpoints/:id",status="200"}');
    expect(text).toContain('hookline_http_requests_total{route="/v1/endpoints/:id",status="404"}');
    expect(text).toContain('hookline_http_requests_total{route="/v1/endpoints/:id",status="401"}');
    expect(text).toContain('hookline_http_requests_total{route="unmatched",status="404"}');
    expect(text).not.toMatch(/route="[^"]*(ep_|evt_|whd_|no\/such)/);
    expect(text).toContain('hookline_queue_jobs{queue="deliveries",state="waiting"}');
    expect(text).toContain('hookline_dead_letter_size 0');
  });

  test('hookline_events_published_total counts each accepted event under source="api"', async () => {
    const published = async () =>
      new Map(
        (await h.metrics.eventsPublished.get()).values.map((v) => [v.labels.source, v.value]),
      );
    const before = await published();
    expect([...before.keys()].sort()).toEqual(['api', 'operational']);
    await h.api.post('/v1/events', { name: 'count.me', data: {} }).expect(202);
    await h.api
      .post('/v1/events/batch', {
        events: [
          { name: 'a', data: {} },
          { name: 'b', data: {} },
        ],
      })
      .expect(202);
    await h.api.post('/v1/events', { name: 'bad name', data: {} }).expect(422);
    const after = await published();
    expect(after.get('api')! - before.get('api')!).toBe(3);
    expect(after.get('operational')).toBe(0);
    const text = await h.metrics.registry.getSingleMetricAsString(
      'hookline_events_published_total',
    );
    expect(text).toMatch(
      new RegExp(`^hookline_events_published_total\\{source="api"\\} ${after.get('api')}$`, 'm'),
    );
    expect(text).toMatch(/^hookline_events_published_total\{source="operational"\} 0$/m);
  });
});
