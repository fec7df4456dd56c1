import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { AddressInfo, Server } from 'node:net';
import { AUTH, expectError, startApp, type Harness } from './harness';

let h: Harness;
let server: Server;

// Over a real socket rather than supertest, which sends a Buffer under a JSON content type as the
// JSON of the Buffer object, not its bytes.
beforeAll(async () => {
  h = await startApp('compressed-body');
  server = await new Promise<Server>((resolve) => {
    const s = h.app.listen(0, '127.0.0.1', () => resolve(s));
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

const compress = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
} as const;
const encodings = Object.keys(compress) as (keyof typeof compress)[];

const json = Buffer.from(JSON.stringify({ url: 'https://example.com/hooks' }));

async function post(encoding: string, body: Buffer): Promise<{ status: number; body: unknown }> {
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/v1/endpoints`, {
    method: 'POST',
    headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Encoding': encoding },
    body,
  });
  return { status: res.status, body: await res.json() };
}

test.each(encodings)('a body validly compressed with %s is read', async (encoding) => {
  const res = await post(encoding, compress[encoding](json));
  expect(res.status).toBe(201);
});

test.each(encodings)('a body that is not %s data is 400 invalid_json', async (encoding) => {
  const res = await post(encoding, Buffer.from('{"url": "https://example.com/hooks"} not packed'));
  expect(res.status).toBe(400);
  expectError(res.body, 'invalid_json');
});

test.each(encodings)('a %s body cut short is 400 invalid_json', async (encoding) => {
  const whole = compress[encoding](Buffer.from(JSON.stringify({ url: 'x'.repeat(5000) })));
  const res = await post(encoding, whole.subarray(0, Math.floor(whole.length / 2)));
  expect(res.status).toBe(400);
  expectError(res.body, 'invalid_json');
});
