import { hostname } from 'node:os';
import { type CreatedEndpoint, type Endpoint } from '@hookline/api';
import { startApp, type Harness } from './harness';
import { expectRefusedAt } from './refusals';

// Endpoints that publish to a broker: their configuration, what the API shows of their URL, and
// the address policy their brokers obey.

let secure: Harness;
let insecure: Harness;

beforeAll(async () => {
  secure = await startApp('brokers', { insecure: false });
  insecure = await startApp('brokers-insecure', { insecure: true });
});
afterAll(async () => {
  await secure.close();
  await insecure.close();
});

const PASSWORD = 's3cret-broker-pass';

test('a rabbitmq endpoint: its configuration, and a URL shown without its password', async () => {
  const res = await secure.api.post('/v1/endpoints', {
    type: 'rabbitmq',
    url: `amqps://hookline:${PASSWORD}@mq.example.com:5671/prod`,
    exchange: 'webhooks',
    event_types: ['order.*'],
  });
  expect(res.status).toBe(201);
  const created = res.body as CreatedEndpoint;
  expect(created).toMatchObject({
    type: 'rabbitmq',
    url: 'amqps://hookline@mq.example.com:5671/prod',
    exchange: 'webhooks',
    routing_key: '{event}',
    subject: null,
    auth: null,
    event_types: ['order.*'],
  });
  expect(created.secret).toMatch(/^whsec_/);
  expect(JSON.stringify(created)).not.toContain(PASSWORD);
  for (const path of [`/v1/endpoints/${created.id}`, '/v1/endpoints']) {
    const read = await secure.api.get(path).expect(200);
    expect(JSON.stringify(read.body)).not.toContain(PASSWORD);
  }
  // Sealed at rest: the record in Redis holds the password only sealed.
  const raw = await secure.context.redis.get(secure.context.keys.endpoint(created.id));
  expect(raw).toContain('"broker_url":"hls1:');
  expect(raw).not.toContain(PASSWORD);
  // The dispatcher's view has the URL as given.
  const stored = await secure.context.endpoints.get(created.id);
  expect(stored?.broker_url).toBe(`amqps://hookline:${PASSWORD}@mq.example.com:5671/prod`);
});

test('a nats endpoint: servers, subject, and no token or password shown', async () => {
  const url = `tls://tok3n-secret@a.nats.example.com:4222,tls://user:${PASSWORD}@b.nats.example.com`;
  const res = await secure.api.post('/v1/endpoints', {
    type: 'nats',
    url,
    subject: 'hooks.{event}',
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({
    type: 'nats',
    url: 'tls://a.nats.example.com:4222,tls://user@b.nats.example.com',
    subject: 'hooks.{event}',
    exchange: null,
    routing_key: null,
  });
  expect(JSON.stringify(res.body)).not.toMatch(/tok3n-secret|s3cret-broker-pass/);
  const stored = await secure.context.endpoints.get((res.body as Endpoint).id);
  expect(stored?.broker_url).toBe(url);
});

test("PATCH changes a broker endpoint's configuration and URL, credentials with it", async () => {
  const { id } = (
    await insecure.api
      .post('/v1/endpoints', { type: 'rabbitmq', url: 'amqp://guest:guest@127.0.0.1:5672' })
      .expect(201)
  ).body as Endpoint;
  const patched = await insecure.api
    .patch(`/v1/endpoints/${id}`, {
      exchange: 'amq.topic',
      routing_key: 'hooks.{event}',
      url: `amqp://other:${PASSWORD}@127.0.0.1:5672/vh`,
    })
    .expect(200);
  expect(patched.body).toMatchObject({
    exchange: 'amq.topic',
    routing_key: 'hooks.{event}',
    url: 'amqp://other@127.0.0.1:5672/vh',
  });
  expect((await insecure.context.endpoints.get(id))?.broker_url).toBe(
    `amqp://other:${PASSWORD}@127.0.0.1:5672/vh`,
  );
});

test("a field of another type, a URL of another type's scheme, or the type itself: 422, nothing changed", async () => {
  const rabbit = (
    await insecure.api
      .post('/v1/endpoints', { type: 'rabbitmq', url: 'amqp://127.0.0.1', exchange: 'x' })
      .expect(201)
  ).body as Endpoint;
  const nats = (
    await insecure.api
      .post('/v1/endpoints', { type: 'nats', url: 'nats://127.0.0.1:4222', subject: 's' })
      .expect(201)
  ).body as Endpoint;
  const http = (
    await insecure.api.post('/v1/endpoints', { url: 'http://127.0.0.1:9/' }).expect(201)
  ).body as Endpoint;
  const refusals: [Endpoint, unknown, string][] = [
    [rabbit, { subject: 'a' }, 'subject'],
    [rabbit, { auth: null }, 'auth'],
    [rabbit, { url: 'https://example.com/' }, 'url'],
    [rabbit, { url: 'nats://127.0.0.1:4222' }, 'url'],
    [rabbit, { type: 'nats' }, 'type'],
    [nats, { exchange: 'a' }, 'exchange'],
    [nats, { routing_key: 'a' }, 'routing_key'],
    [nats, { subject: 'a.*' }, 'subject'],
    [nats, { url: 'amqp://127.0.0.1' }, 'url'],
    [http, { exchange: 'a' }, 'exchange'],
    [http, { url: 'amqp://127.0.0.1' }, 'url'],
  ];
  for (const [endpoint, body, path] of refusals) {
    expectRefusedAt(await insecure.api.patch(`/v1/endpoints/${endpoint.id}`, body), path);
  }
  for (const endpoint of [rabbit, nats, http]) {
    const now = await insecure.api.get(`/v1/endpoints/${endpoint.id}`).expect(200);
    const { secret: _secret, ...shown } = endpoint as CreatedEndpoint;
    expect(now.body).toEqual(shown);
  }
});

test.each([
  [{ type: 'rabbitmq', url: 'amqps://mq.example.com', auth: null }, 'auth'],
  [{ type: 'rabbitmq', url: 'amqps://mq.example.com', subject: 'a' }, 'subject'],
  [{ type: 'rabbitmq', url: 'amqps://mq.example.com', exchange: 'x'.repeat(256) }, 'exchange'],
  [{ type: 'rabbitmq' }, 'url'],
  [{ type: 'nats', url: 'tls://n.example.com' }, 'subject'],
  [{ type: 'nats', url: 'tls://n.example.com', subject: 'a b' }, 'subject'],
  [{ type: 'nats', url: 'tls://n.example.com', subject: 'a..b' }, 'subject'],
  [{ type: 'nats', url: 'tls://n.example.com', subject: 'a.>' }, 'subject'],
  [{ type: 'nats', url: 'tls://n.example.com', subject: 'a', exchange: 'x' }, 'exchange'],
  [{ type: 'kafka', url: 'kafka://k.example.com' }, 'type'],
])('%j is 422 at %s', async (body, path) => {
  expectRefusedAt(await secure.api.post('/v1/endpoints', body), path);
});

// The address policy, as for webhook URLs: plain-text protocols, IP literals, localhost and this
// machine only where insecure URLs are allowed.
test.each([
  ['rabbitmq', 'amqp://mq.example.com'],
  ['rabbitmq', 'amqps://127.0.0.1'],
  ['rabbitmq', 'amqps://10.1.2.3:5671'],
  ['rabbitmq', 'amqps://localhost'],
  ['rabbitmq', `amqps://${hostname()}`],
  ['rabbitmq', 'amqps://rabbit'],
  ['rabbitmq', 'https://mq.example.com'],
  ['nats', 'nats://n.example.com:4222'],
  ['nats', 'tls://n.example.com,tls://127.0.0.1:4222'],
  ['nats', 'tls://[::1]:4222'],
  ['nats', 'tls://n.example.com/path'],
  ['nats', 'tls://n.example.com?x=1'],
])('a %s endpoint at %j is 422 at url unless insecure URLs are allowed', async (type, url) => {
  const body = { type, url, ...(type === 'nats' ? { subject: 'hooks' } : {}) };
  expectRefusedAt(await secure.api.post('/v1/endpoints', body), 'url');
  const allowed = !url.startsWith('https:') && !/\/path|\?/.test(url);
  expect((await insecure.api.post('/v1/endpoints', body)).status).toBe(allowed ? 201 : 422);
});

test.each([
  ['rabbitmq', 'amqps://mq.example.com:0'],
  ['rabbitmq', 'amqps://mq.example.com/#frag'],
  ['rabbitmq', 'amqps://a..b.example.com'],
  ['rabbitmq', ' amqps://mq.example.com'],
  ['nats', Array.from({ length: 9 }, (_, i) => `tls://n${i}.example.com`).join(',')],
  ['nats', 'tls://n.example.com,'],
])('a %s endpoint at %j is 422 at url whatever the deployment allows', async (type, url) => {
  const body = { type, url, ...(type === 'nats' ? { subject: 'hooks' } : {}) };
  expectRefusedAt(await secure.api.post('/v1/endpoints', body), 'url');
  expectRefusedAt(await insecure.api.post('/v1/endpoints', body), 'url');
});
