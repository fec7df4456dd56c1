import request from 'supertest';
import { API_KEY, AUTH, startApp, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startApp('admin-headers');
});
afterAll(() => h.close());

const BASIC = `Basic ${Buffer.from(`admin:${API_KEY}`).toString('base64')}`;

function expectNoFraming(res: request.Response): void {
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['content-security-policy']).toMatch(/(^|;\s*)frame-ancestors 'none'(;|$)/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

test('bull-board refuses to be framed, and says so on its 401 too', async () => {
  const refused = await request(h.app).get('/admin/queues');
  expect(refused.status).toBe(401);
  expectNoFraming(refused);
  const page = await request(h.app).get('/admin/queues').set('Authorization', BASIC);
  expect(page.status).toBe(200);
  expectNoFraming(page);
});

test("bull-board's API and its static files carry the same headers", async () => {
  const api = await request(h.app).get('/admin/queues/api/queues').set(AUTH);
  expect(api.status).toBe(200);
  expectNoFraming(api);
  const page = await request(h.app).get('/admin/queues').set('Authorization', BASIC);
  // The page names its files relative to its <base href>, /admin/queues/.
  const asset = /src="(static\/[^"]+\.js)"/.exec(page.text)?.[1];
  expect(asset).toBeDefined();
  const file = await request(h.app).get(`/admin/queues/${asset!}`).set('Authorization', BASIC);
  expect(file.status).toBe(200);
  expectNoFraming(file);
});

test('no answer of the app says what it is built with (X-Powered-By)', async () => {
  const answers = await Promise.all([
    request(h.app).get('/healthz'),
    request(h.app).get('/readyz'),
    request(h.app).get('/metrics'),
    request(h.app).get('/openapi.json'),
    request(h.app).get('/console'),
    request(h.app).get('/v1/endpoints'),
    request(h.app).get('/v1/endpoints').set(AUTH),
    request(h.app).post('/v1/events').set(AUTH).set('Content-Type', 'application/json').send('{'),
    request(h.app).get('/no/such/route'),
    request(h.app).get('/admin/queues/no/such/page').set('Authorization', BASIC),
  ]);
  for (const res of answers) expect(res.headers['x-powered-by']).toBeUndefined();
});
