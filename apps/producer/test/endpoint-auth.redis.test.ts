import { X509Certificate } from 'node:crypto';
import { type Endpoint } from '@hookline/api';
import type { StoredEndpoint } from '@hookline/core';
import { makeTestPki, type TestPki } from '@hookline/core/testing-tls';
import { endpointBody, startApp, type Harness } from './harness';
import { expectRefusedAt } from './refusals';

let h: Harness;
let secure: Harness;
let pki: TestPki;
let clock = Date.now();

const OAUTH2 = {
  type: 'oauth2_client_credentials',
  token_url: 'https://auth.example.com/oauth/token',
  client_id: 'hookline',
  client_secret: 'first-secret-value',
  scope: 'webhooks:write',
  audience: 'https://api.example.com',
};

beforeAll(async () => {
  pki = makeTestPki();
  h = await startApp('endpoint-auth', { now: () => clock });
  secure = await startApp('endpoint-auth-secure', { insecure: false });
});
afterAll(async () => {
  await h.close();
  await secure.close();
});

const create = async (body: Record<string, unknown>) =>
  (await h.api.post('/v1/endpoints', endpointBody(body)).expect(201)).body as Endpoint;

/** The endpoint as the store holds it (opened), having checked Redis holds its secrets sealed. */
async function stored(id: string): Promise<StoredEndpoint> {
  const endpoint = (await h.context.endpoints.get(id))!;
  const raw = (await h.context.redis.get(h.context.keys.endpoint(id)))!;
  if (endpoint.auth?.type === 'oauth2_client_credentials')
    expect(raw).not.toContain(endpoint.auth.client_secret);
  if (endpoint.auth?.type === 'client_certificate')
    expect(raw).not.toContain(endpoint.auth.key.split('\n')[1]);
  return endpoint;
}

/** Every answer about the endpoint: creation's aside, the read, the list and an unrelated PATCH. */
async function everyView(id: string): Promise<string[]> {
  const read = await h.api.get(`/v1/endpoints/${id}`).expect(200);
  const list = await h.api.get('/v1/endpoints?limit=100').expect(200);
  const patched = await h.api.patch(`/v1/endpoints/${id}`, { description: 'x' }).expect(200);
  return [read.text, list.text, patched.text];
}

describe('OAuth 2.0 client credentials', () => {
  test('is stored with its secret and shown without it, on every route', async () => {
    const res = await h.api.post('/v1/endpoints', endpointBody({ auth: OAUTH2 })).expect(201);
    const { client_secret: _secret, ...shown } = OAUTH2;
    expect((res.body as Endpoint).auth).toEqual(shown);
    const id = (res.body as Endpoint).id;
    for (const text of [res.text, ...(await everyView(id))]) {
      expect(text).not.toContain(OAUTH2.client_secret);
      expect(text).toContain(OAUTH2.client_id);
    }
    const auth = (await stored(id)).auth;
    expect(auth).toMatchObject({ client_secret: OAUTH2.client_secret });
  });

  test('scope and audience are optional (null)', async () => {
    const { scope: _s, audience: _a, ...bare } = OAUTH2;
    const endpoint = await create({ auth: bare });
    expect(endpoint.auth).toMatchObject({ scope: null, audience: null });
  });

  test('a PATCH replaces it (a new revision), and auth: null removes it', async () => {
    const { id } = await create({ auth: OAUTH2 });
    const before = await stored(id);
    const patched = await h.api
      .patch(`/v1/endpoints/${id}`, { auth: { ...OAUTH2, client_secret: 'second-secret' } })
      .expect(200);
    expect(patched.text).not.toContain('second-secret');
    const after = await stored(id);
    expect(after.auth).toMatchObject({ client_secret: 'second-secret' });
    expect(after.auth!.revision).not.toBe(before.auth!.revision);
    // Another field's change keeps the auth and its revision.
    await h.api.patch(`/v1/endpoints/${id}`, { description: 'y' }).expect(200);
    expect((await stored(id)).auth!.revision).toBe(after.auth!.revision);
    const removed = await h.api.patch(`/v1/endpoints/${id}`, { auth: null }).expect(200);
    expect((removed.body as Endpoint).auth).toBeNull();
    expect((await stored(id)).auth).toBeNull();
  });

  test.each([
    [{ ...OAUTH2, client_secret: '' }, 'auth.client_secret'],
    [{ ...OAUTH2, client_id: undefined }, 'auth.client_id'],
    [{ ...OAUTH2, token_url: 'not a url' }, 'auth.token_url'],
    [{ ...OAUTH2, grant: 'password' }, 'auth.grant'],
    [{ type: 'basic', username: 'a' }, 'auth.type'],
  ])('refuses %j with 422 at %s, on creation and PATCH', async (auth, path) => {
    expectRefusedAt(await h.api.post('/v1/endpoints', endpointBody({ auth })), path);
    const { id } = await create({});
    expectRefusedAt(await h.api.patch(`/v1/endpoints/${id}`, { auth }), path);
    expect((await stored(id)).auth).toBeNull();
  });

  test.each([
    'http://auth.example.com/token',
    'https://127.0.0.1/token',
    'https://localhost/token',
  ])(
    'a token_url the URL policy refuses (%s) is 422 unless insecure URLs are allowed',
    async (token_url) => {
      const auth = { ...OAUTH2, token_url };
      expectRefusedAt(
        await secure.api.post('/v1/endpoints', endpointBody({ auth })),
        'auth.token_url',
      );
      await create({ auth });
    },
  );

  test('a custom Authorization header with OAuth 2.0 is a 422 conflict, on creation and PATCH', async () => {
    const headers = { authorization: 'Bearer static' };
    expectRefusedAt(
      await h.api.post('/v1/endpoints', endpointBody({ auth: OAUTH2, headers })),
      'auth',
    );
    const withHeader = await create({ headers });
    expectRefusedAt(await h.api.patch(`/v1/endpoints/${withHeader.id}`, { auth: OAUTH2 }), 'auth');
    expect((await stored(withHeader.id)).auth).toBeNull();
    const withAuth = await create({ auth: OAUTH2 });
    expectRefusedAt(
      await h.api.patch(`/v1/endpoints/${withAuth.id}`, { headers: { Authorization: 'x' } }),
      'auth',
    );
    expect((await stored(withAuth.id)).headers).toEqual({});
    // Both changed at once so that they agree: accepted.
    await h.api.patch(`/v1/endpoints/${withHeader.id}`, { auth: OAUTH2, headers: {} }).expect(200);
  });
});

describe('client certificate', () => {
  test('is stored with its key and shown as its fingerprint and expiry, on every route', async () => {
    const auth = { type: 'client_certificate', ...pki.client };
    const res = await h.api.post('/v1/endpoints', endpointBody({ auth })).expect(201);
    const certificate = new X509Certificate(pki.client.certificate);
    expect((res.body as Endpoint).auth).toEqual({
      type: 'client_certificate',
      certificate_fingerprint: certificate.fingerprint256,
      not_after: new Date(certificate.validTo).toISOString(),
    });
    const id = (res.body as Endpoint).id;
    const keyBody = pki.client.key.split('\n')[1]!;
    for (const text of [res.text, ...(await everyView(id))]) {
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain('PRIVATE KEY');
    }
    expect((await stored(id)).auth).toMatchObject({ key: pki.client.key });
  });

  test.each([
    [
      'a certificate that is not PEM',
      () => ({ certificate: 'nope', key: pki.client.key }),
      'auth.certificate',
    ],
    [
      'a key that is not PEM',
      () => ({ certificate: pki.client.certificate, key: 'nope' }),
      'auth.key',
    ],
    ['a key that is not the certificate’s', () => pki.mismatched, 'auth.key'],
    [
      'a certificate where the key goes',
      () => ({ certificate: pki.client.certificate, key: pki.client.certificate }),
      'auth.key',
    ],
  ])('refuses %s with 422, on creation and PATCH', async (_what, pem, path) => {
    const auth = { type: 'client_certificate', ...pem() };
    expectRefusedAt(await h.api.post('/v1/endpoints', endpointBody({ auth })), path);
    const { id } = await create({});
    expectRefusedAt(await h.api.patch(`/v1/endpoints/${id}`, { auth }), path);
    expect((await stored(id)).auth).toBeNull();
  });

  test('refuses a certificate that has expired', async () => {
    const saved = clock;
    clock = Date.now() + 3 * 86_400_000;
    try {
      expectRefusedAt(
        await h.api.post(
          '/v1/endpoints',
          endpointBody({ auth: { type: 'client_certificate', ...pki.client } }),
        ),
        'auth.certificate',
      );
    } finally {
      clock = saved;
    }
  });

  test('goes with a custom Authorization header (they do not meet)', async () => {
    await create({
      auth: { type: 'client_certificate', ...pki.client },
      headers: { Authorization: 'x' },
    });
  });
});
