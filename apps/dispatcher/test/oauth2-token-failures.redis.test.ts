import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sealer } from '@hookline/core';
import { freePort } from '@hookline/core/testing';
import { OAuth2Tokens, type OAuth2TokensOptions } from '../src/destinations/http/oauth2-tokens';
import type { OAuth2Auth } from '../src/destinations/http/oauth2-token-request';
import { Harness } from './harness';

// What a token endpoint can do wrong, each a failure to get a token with a message that says
// which (the attempt's `auth_token`), and what Hookline sends it. A real server on 127.0.0.1.

let h: Harness;
let server: Server;
let base: string;
const requests: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

const ANSWERS: Record<string, [number, string]> = {
  '/unavailable': [503, '{"error":"temporarily_unavailable"}'],
  '/refused': [401, '{"error":"invalid_client"}'],
  '/html': [200, '<html>sign in</html>'],
  '/no-token': [200, '{"token_type":"Bearer","expires_in":60}'],
  '/mac': [200, '{"access_token":"abc","token_type":"mac"}'],
  '/ok': [200, '{"access_token":"tok-123","token_type":"bearer","expires_in":"3600"}'],
};

beforeAll(async () => {
  h = await Harness.create();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      const [status, text] = ANSWERS[req.url ?? ''] ?? [404, '{}'];
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => server.close(resolve));
});

let revision = 0;
const auth = (token_url: string): OAuth2Auth => ({
  type: 'oauth2_client_credentials',
  token_url,
  client_id: 'hook line',
  client_secret: 's3cret:with/odd&chars',
  scope: 'webhooks read',
  audience: null,
  revision: `r${++revision}`,
});

async function tokenFrom(
  url: string,
  options: Partial<OAuth2TokensOptions> = {},
): Promise<{ ok: boolean; message?: string; token?: string }> {
  const tokens = new OAuth2Tokens({
    redis: h.api.redis,
    keys: h.api.keys,
    sealer: new Sealer([randomBytes(32)]),
    allowInsecure: true,
    ...options,
  });
  try {
    return await tokens.token('ep_test', auth(url));
  } finally {
    await tokens.close();
  }
}

test.each([
  ['/unavailable', /answered 503: temporarily_unavailable/],
  ['/refused', /answered 401: invalid_client/],
  ['/html', /answered 200, not JSON/],
  ['/no-token', /no usable access_token/],
  ['/mac', /a mac token, not a bearer token/],
])('a token endpoint at %s is a failure that says why', async (path, why) => {
  const result = await tokenFrom(`${base}${path}`);
  expect(result.ok).toBe(false);
  expect(result.message).toMatch(why);
  expect(result.message).not.toContain('s3cret');
});

test('nothing listening at the token URL is a failure', async () => {
  const result = await tokenFrom(`http://127.0.0.1:${await freePort()}/token`);
  expect(result).toEqual({ ok: false, message: 'the token request failed: ECONNREFUSED' });
});

test('the client credentials grant goes with HTTP Basic (form-encoded id and secret) and the scope', async () => {
  const result = await tokenFrom(`${base}/ok`);
  expect(result).toEqual({ ok: true, token: 'tok-123' });
  const sent = requests.filter((r) => r.path === '/ok').at(-1)!;
  const [id, secret] = Buffer.from(sent.headers.authorization!.replace(/^Basic /, ''), 'base64')
    .toString()
    .split(':')
    .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
  expect([id, secret]).toEqual(['hook line', 's3cret:with/odd&chars']);
  expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
    grant_type: 'client_credentials',
    scope: 'webhooks read',
  });
  expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
});

test('a token URL whose name resolves to a blocked address is refused before any connection', async () => {
  const before = requests.length;
  const port = (server.address() as AddressInfo).port;
  const result = await tokenFrom(`http://auth.example.test:${port}/ok`, {
    allowInsecure: false,
    resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
  });
  expect(result).toEqual({ ok: false, message: 'the token request failed: HOOKLINE_SSRF_BLOCKED' });
  expect(requests.length).toBe(before);
});

test('a lock whose holder died is waited out, then the token is fetched all the same', async () => {
  const tokens = new OAuth2Tokens({
    redis: h.api.redis,
    keys: h.api.keys,
    sealer: new Sealer([randomBytes(32)]),
    allowInsecure: true,
    requestTimeoutMs: 200,
  });
  const orphan = auth(`${base}/ok`);
  await h.api.redis.set(
    h.api.keys.endpointTokenLock('ep_test', orphan.revision),
    'dead',
    'PX',
    1_200,
  );
  try {
    expect(await tokens.token('ep_test', orphan)).toEqual({ ok: true, token: 'tok-123' });
  } finally {
    await tokens.close();
  }
});
