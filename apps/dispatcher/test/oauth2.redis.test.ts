import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { EndpointPatch } from '@hookline/api';
import { randomBytes } from 'node:crypto';
import { deliveryIdFor, Sealer, type StoredEndpoint } from '@hookline/core';
import { OAuth2Tokens } from '../src/destinations/http/oauth2-tokens';
import type { OAuth2Auth } from '../src/destinations/http/oauth2-token-request';
import { Harness } from './harness';

// OAuth 2.0 client credentials against a real authorization server (oidc-provider, in a process
// of its own: test/fixtures/oauth2-server.mjs) and a receiver that accepts only the JWT access
// tokens that server signed, for its audience.

interface Stats {
  tokenRequests: number;
  issued: number;
  accepted: number;
  refused: number;
}

const TOKEN_TTL_S = 600;
const FIRST_SECRET = 'first-secret-of-the-client';
let server: ChildProcess;
let urls: { tokenUrl: string; receiverUrl: string; controlUrl: string };
let h: Harness;
/** How far the dispatchers' token clock is ahead of the real one. */
let ahead = 0;

async function control(route: string): Promise<Stats> {
  const res = await fetch(`${urls.controlUrl}${route}`, {
    method: route === '/stats' ? 'GET' : 'POST',
  });
  return (await res.json()) as Stats;
}

beforeAll(async () => {
  server = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'oauth2-server.mjs')], {
    env: {
      ...process.env,
      CLIENT_ID: 'hookline',
      CLIENT_SECRET: FIRST_SECRET,
      TOKEN_TTL: String(TOKEN_TTL_S),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its stderr has oidc-provider's warnings about a development setup: told only if it fails.
  let stderr = '';
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: server.stdout! });
  urls = await new Promise((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as typeof urls));
    server.once('exit', (code) =>
      reject(new Error(`the OAuth 2.0 server exited (${code}): ${stderr}`)),
    );
  });
  h = await Harness.create();
  // Two dispatchers sharing Redis, as two processes would. A failure to get a token is shared
  // for longer than any test runs, so that how many requests it made does not hang on timing.
  for (let i = 0; i < 2; i++)
    h.startDispatcher({ tokens: { now: () => Date.now() + ahead, failureMs: 60_000 } });
});
afterAll(async () => {
  await h.close();
  server.kill();
});

const oauth2 = (client_secret = FIRST_SECRET) => ({
  type: 'oauth2_client_credentials',
  token_url: urls.tokenUrl,
  client_id: 'hookline',
  client_secret,
  scope: 'webhooks',
  audience: 'https://receiver.test/',
});

const authOf = (endpoint: StoredEndpoint) => endpoint.auth as OAuth2Auth;

async function deliver(endpointId: string, count = 1) {
  const events = await h.publishMany([endpointId], count);
  return Promise.all(
    events.map((event) =>
      h.waitForDelivery(
        deliveryIdFor(event.event.id, endpointId),
        (d) => d.status === 'delivered' || d.status === 'dead',
      ),
    ),
  );
}

test('dispatchers sharing Redis make one token request between them', async () => {
  const ep = await h.createEndpoint({ url: urls.receiverUrl, auth: oauth2() });
  const before = await control('/stats');
  const sealer = new Sealer([randomBytes(32)]);
  const options = { redis: h.api.redis, keys: h.api.keys, sealer, allowInsecure: true };
  const first = new OAuth2Tokens(options);
  const second = new OAuth2Tokens(options);
  try {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).token(ep.id, authOf(ep))),
    );
    const tokens = new Set(results.map((r) => (r.ok ? r.token : r.message)));
    expect(tokens.size).toBe(1);
    expect(results[0]!.ok).toBe(true);
    expect((await control('/stats')).tokenRequests - before.tokenRequests).toBe(1);
    // Redis holds the shared token sealed: a reader of its files gets no bearer token.
    const token = results[0]!.ok ? results[0]!.token : '';
    const stored = (await h.api.redis.get(h.api.keys.endpointToken(ep.id, authOf(ep).revision)))!;
    expect(stored).toMatch(/^hls1:/);
    expect(stored).not.toContain(token);
    expect(sealer.open(stored)).toContain(token);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test('deliveries carry a bearer token the receiver verifies, fetched once for all of them', async () => {
  const ep = await h.createEndpoint({ url: urls.receiverUrl, auth: oauth2() });
  const before = await control('/stats');
  const deliveries = await deliver(ep.id, 20);
  expect(deliveries.map((d) => d.status)).toEqual(Array(20).fill('delivered'));
  const after = await control('/stats');
  expect(after.tokenRequests - before.tokenRequests).toBe(1);
  expect(after.accepted - before.accepted).toBe(20);
});

test('a token is used until shortly before it expires, then fetched again', async () => {
  const ep = await h.createEndpoint({ url: urls.receiverUrl, auth: oauth2() });
  const requests = async () => (await control('/stats')).tokenRequests;
  const start = await requests();
  try {
    expect((await deliver(ep.id))[0]!.status).toBe('delivered');
    expect((await requests()) - start).toBe(1);
    // 30 s of margin before its 600 s run out: still good 31 s before, not 29 s before.
    ahead = (TOKEN_TTL_S - 31) * 1000;
    expect((await deliver(ep.id))[0]!.status).toBe('delivered');
    expect((await requests()) - start).toBe(1);
    ahead = (TOKEN_TTL_S - 29) * 1000;
    expect((await deliver(ep.id))[0]!.status).toBe('delivered');
    expect((await requests()) - start).toBe(2);
  } finally {
    ahead = 0;
  }
});

test('a 401 from the receiver gets one new token and one more request, in the same attempt', async () => {
  const ep = await h.createEndpoint({ url: urls.receiverUrl, auth: oauth2() });
  expect((await deliver(ep.id))[0]!.status).toBe('delivered');
  const before = await control('/revoke-seen');
  const [delivery] = await deliver(ep.id);
  expect(delivery!.status).toBe('delivered');
  expect(delivery!.attempts.map((a) => [a.status_code, a.error])).toEqual([[200, null]]);
  const after = await control('/stats');
  expect(after.refused - before.refused).toBe(1);
  expect(after.tokenRequests - before.tokenRequests).toBe(1);
});

test('a wrong client secret fails each attempt as auth_token, retried and dead-lettered as usual', async () => {
  const ep = await h.createEndpoint({ url: urls.receiverUrl, auth: oauth2('not-the-secret') });
  const before = await control('/stats');
  const [delivery] = await deliver(ep.id);
  expect(delivery!.status).toBe('dead');
  expect(delivery!.attempts.map((a) => [a.status_code, a.error])).toEqual([
    [null, 'auth_token'],
    [null, 'auth_token'],
    [null, 'auth_token'],
  ]);
  const after = await control('/stats');
  expect(after.accepted + after.refused).toBe(before.accepted + before.refused);
  // The server's refusal is shared: asked once for every attempt while it holds.
  expect(after.tokenRequests - before.tokenRequests).toBe(1);
});

// Last: it changes the client's secret at the server.
test('a client secret rotated at the server and changed through the API: deliveries go on', async () => {
  const ep = await h.createEndpoint({ url: urls.receiverUrl, auth: oauth2() });
  expect((await deliver(ep.id))[0]!.status).toBe('delivered');
  // The server takes the new secret only, and the receiver no longer takes the tokens issued.
  await control('/rotate?secret=second-secret');
  await control('/revoke-seen');
  const [event] = await h.publishMany([ep.id], 1);
  const failed = await h.waitForDelivery(
    deliveryIdFor(event!.event.id, ep.id),
    (d) => d.attempts.length > 0,
  );
  expect(failed.attempts[0]!.error).toBe('auth_token');
  await h.api.endpoints.update(ep.id, EndpointPatch.parse({ auth: oauth2('second-secret') }));
  const [delivery] = await deliver(ep.id);
  expect(delivery!.status).toBe('delivered');
  expect(delivery!.attempts.map((a) => a.status_code)).toEqual([200]);
});
