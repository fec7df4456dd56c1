import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hookline, HooklineApiError, HooklineConnectionError } from '../src';
import { listen } from './harness';

// What the client does with answers the producer would not give: real HTTP servers on
// 127.0.0.1 that answer just so.

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const requests: IncomingMessage[] = [];
  const server = await listen((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => handler(req, res, requests.length));
  });
  servers.push(server);
  return { url: server.url, requests };
}

const client = (url: string, retries = 0, timeoutMs?: number) =>
  new Hookline({ url, apiKey: 'key', retries, ...(timeoutMs ? { timeoutMs } : {}) });

test('sends the API key, a User-Agent and JSON', async () => {
  const server = await serve((_req, res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"ep_1"}'),
  );
  await client(server.url).endpoints.create({ url: 'https://example.com' });
  const [req] = server.requests;
  expect(req!.headers).toMatchObject({
    authorization: 'Bearer key',
    'user-agent': expect.stringMatching(/^hookline-client\/\d/) as string,
    'content-type': 'application/json',
  });
});

test('an error that is not Hookline JSON (a proxy page) is an invalid_response HooklineApiError', async () => {
  const server = await serve((_req, res) =>
    res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'),
  );
  const error = await client(server.url)
    .endpoints.get('ep_1')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HooklineApiError);
  expect(error).toMatchObject({ status: 502, code: 'invalid_response', details: [] });
});

test('a success whose body is not JSON is an invalid_response HooklineApiError', async () => {
  const server = await serve((_req, res) => res.writeHead(200).end('{"truncat'));
  await expect(client(server.url).endpoints.get('ep_1')).rejects.toMatchObject({
    status: 200,
    code: 'invalid_response',
  });
});

test('a read answered 503 is retried, and succeeds', async () => {
  const server = await serve((_req, res, n) =>
    n === 1
      ? res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"error":{"code":"unavailable","message":"Redis","details":[]}}')
      : res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"ep_1"}'),
  );
  await expect(client(server.url, 1).endpoints.get('ep_1')).resolves.toEqual({ id: 'ep_1' });
  expect(server.requests).toHaveLength(2);
});

test('a write without an idempotency key (endpoint creation) is not retried', async () => {
  const server = await serve((_req, res) =>
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end('{"error":{"code":"unavailable","message":"Redis is down","details":[]}}'),
  );
  await expect(
    client(server.url, 2).endpoints.create({ url: 'https://example.com' }),
  ).rejects.toMatchObject({
    status: 503,
    code: 'unavailable',
    message: 'Redis is down',
  });
  expect(server.requests).toHaveLength(1);
});

test('a 4xx is not retried', async () => {
  const server = await serve((_req, res) =>
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":"not_found","message":"no","details":[]}}'),
  );
  await expect(client(server.url, 2).endpoints.get('ep_1')).rejects.toMatchObject({
    code: 'not_found',
  });
  expect(server.requests).toHaveLength(1);
});

test('a delete whose answer was lost, retried, and found nothing to delete, has succeeded', async () => {
  const server = await serve((req, res, n) => {
    if (n === 1) {
      req.socket.destroy(); // deleted, but the answer never arrives
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":"not_found","message":"gone","details":[]}}');
  });
  await expect(client(server.url, 1).endpoints.delete('ep_1')).resolves.toBeUndefined();
  expect(server.requests).toHaveLength(2);
});

test('a delete of an endpoint that never existed is still not_found', async () => {
  const server = await serve((_req, res) =>
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"error":{"code":"not_found","message":"no","details":[]}}'),
  );
  await expect(client(server.url, 1).endpoints.delete('ep_1')).rejects.toMatchObject({
    code: 'not_found',
  });
});

test('an answer slower than timeoutMs is a HooklineConnectionError (ETIMEDOUT)', async () => {
  const server = await serve(() => undefined); // never answers
  const error = await client(server.url, 0, 100)
    .endpoints.get('ep_1')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HooklineConnectionError);
  expect(error).toMatchObject({ code: 'ETIMEDOUT' });
});

test('the constructor refuses a URL that is not http(s) and an empty key', () => {
  expect(() => new Hookline({ url: 'localhost:3000', apiKey: 'k' })).toThrow(/http\(s\) URL/);
  expect(() => new Hookline({ url: 'http://127.0.0.1:3000', apiKey: '' })).toThrow(/apiKey/);
});

test('a base URL with a path keeps it: routes go under it', async () => {
  const server = await serve((_req, res) =>
    res.writeHead(200).end('{"data":[],"next_cursor":null}'),
  );
  await client(`${server.url}/hookline`).endpoints.list().first();
  expect(server.requests[0]!.url).toBe('/hookline/v1/endpoints');
});
