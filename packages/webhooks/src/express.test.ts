import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { Webhook } from 'standardwebhooks';
import { InvalidSecretError } from './errors';
import { verifyWebhook } from './express';
import { generateSecret } from './secret';

const secret = generateSecret();
const event = {
  id: 'evt_abc123',
  name: 'order.filled',
  resource: { id: 'ord_xyz789', resource_type: 'order' },
  data: { qty: 3 },
  created_at: '2026-01-15T10:30:00Z',
};
const body = JSON.stringify(event);

/** Headers signed by the public standardwebhooks library, not by us. */
function signedHeaders(payload: string, at = new Date()): Record<string, string> {
  const id = 'whd_1';
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}

/** A receiver echoing what the middleware left on the request. */
function receiver(...before: RequestHandler[]): express.Express {
  const app = express();
  app.post('/webhooks', ...before, verifyWebhook({ secret, limitBytes: 1024 }), (req, res) => {
    res.json({ webhook: req.webhook, rawBody: req.rawBody?.toString('utf8') });
  });
  return app;
}

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/webhooks` };
}

async function post(url: string, payload: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body: payload, headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const servers: Server[] = [];
let plain: string;
let afterRaw: string;
let afterJson: string;

beforeAll(async () => {
  const started = await Promise.all([
    listen(receiver()),
    listen(receiver(express.raw({ type: '*/*' }))),
    listen(receiver(express.json())),
  ]);
  servers.push(...started.map((s) => s.server));
  [plain, afterRaw, afterJson] = started.map((s) => s.url) as [string, string, string];
});

afterAll(async () => {
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

test('hands a valid delivery to the handler as req.webhook, with its raw body', async () => {
  const { status, json } = await post(plain, body, signedHeaders(body));
  expect(status).toBe(200);
  expect(json).toEqual({ webhook: event, rawBody: body });
});

test('answers 401 invalid_signature for a tampered body', async () => {
  const tampered = body.replace('"qty":3', '"qty":300');
  const { status, json } = await post(plain, tampered, signedHeaders(body));
  expect(status).toBe(401);
  expect(json).toEqual({
    error: {
      code: 'invalid_signature',
      message: expect.any(String) as string,
      reason: 'no_matching_signature',
    },
  });
});

test('answers 401 invalid_signature for a stale timestamp', async () => {
  const anHourAgo = new Date(Date.now() - 3600_000);
  const { status, json } = await post(plain, body, signedHeaders(body, anHourAgo));
  expect(status).toBe(401);
  expect(json).toMatchObject({ error: { code: 'invalid_signature', reason: 'timestamp_too_old' } });
});

test('answers 400 invalid_webhook when the webhook headers are missing', async () => {
  const { status, json } = await post(plain, body, { 'content-type': 'application/json' });
  expect(status).toBe(400);
  expect(json).toEqual({
    error: {
      code: 'invalid_webhook',
      message: 'missing webhook-id header',
      reason: 'missing_header',
    },
  });
});

test('answers 400 invalid_webhook for a signed body that is not a Hookline event', async () => {
  const payload = JSON.stringify({ hello: 'world' });
  const { status, json } = await post(plain, payload, signedHeaders(payload));
  expect(status).toBe(400);
  expect(json).toMatchObject({ error: { code: 'invalid_webhook', reason: 'invalid_payload' } });
});

test('answers 413 payload_too_large for a body over limitBytes', async () => {
  const payload = JSON.stringify({ ...event, data: { pad: 'x'.repeat(2048) } });
  const { status, json } = await post(plain, payload, signedHeaders(payload));
  expect(status).toBe(413);
  expect(json).toMatchObject({ error: { code: 'payload_too_large' } });
});

test('answers 413 for a chunked body that grows over limitBytes', async () => {
  const payload = 'x'.repeat(4096);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(payload));
      controller.close();
    },
  });
  const response = await fetch(plain, {
    method: 'POST',
    body: stream,
    headers: signedHeaders(payload),
    duplex: 'half',
  });
  expect(response.status).toBe(413);
});

test('verifies the Buffer left by express.raw()', async () => {
  const { status, json } = await post(afterRaw, body, signedHeaders(body));
  expect(status).toBe(200);
  expect(json).toEqual({ webhook: event, rawBody: body });
});

test('answers 500 explaining the order when express.json() ran first', async () => {
  const { status, json } = await post(afterJson, body, signedHeaders(body));
  expect(status).toBe(500);
  expect(json).toMatchObject({
    error: {
      code: 'body_already_parsed',
      message: expect.stringContaining('before express.json()') as string,
    },
  });
});

test('refuses a malformed secret when it is set up', () => {
  expect(() => verifyWebhook({ secret: 'whsec_tooshort' })).toThrow(InvalidSecretError);
});

test.each([
  ['a NaN tolerance', { toleranceSeconds: NaN }],
  ['a limit of 0 bytes', { limitBytes: 0 }],
])('refuses %s when it is set up', (_, options) => {
  expect(() => verifyWebhook({ secret, ...options })).toThrow(RangeError);
});
