import { hostname } from 'node:os';
import { type Endpoint } from '@hookline/api';
import { startApp, type Harness } from './harness';
import { expectRefusedAt } from './refusals';

let secure: Harness;
let insecure: Harness;
let endpoint: Endpoint;

beforeAll(async () => {
  secure = await startApp('url-rules', { insecure: false });
  insecure = await startApp('url-rules-insecure', { insecure: true });
  endpoint = (await secure.api.post('/v1/endpoints', { url: 'https://example.com/hooks' }))
    .body as Endpoint;
});
afterAll(async () => {
  await secure.close();
  await insecure.close();
});

async function expectRefused(h: Harness, url: string): Promise<void> {
  // The insecure app has no such endpoint: its PATCH checks the body first all the same.
  expectRefusedAt(await h.api.post('/v1/endpoints', { url }), 'url');
  expectRefusedAt(await h.api.patch(`/v1/endpoints/${endpoint.id}`, { url }), 'url');
}

// Malformed whatever the deployment allows.
test.each([
  'https://example.com/a\tb',
  'https://exa\nmple.com/hooks',
  'https://example.com/a\r\nHost: evil',
  'https://:@example.com/',
  'https:example.com/hooks',
  'https:\\\\example.com/hooks',
  'https://a..b.example.com/',
  'https://.example.com/',
  'https://-a.example.com/',
  'https://*.example.com/',
  'https://example.com:0/',
])('%j is 422 at url, insecure URLs allowed or not', async (url) => {
  await expectRefused(secure, url);
  await expectRefused(insecure, url);
});

test.each([
  'https://localhost../',
  'https://localhost.localdomain/',
  'https://hooks.localhost/',
  `https://${hostname()}/`,
])('%j is 422 at url unless insecure URLs are allowed', async (url) => {
  await expectRefused(secure, url);
});

test('the endpoint keeps its URL after refused changes', async () => {
  const res = await secure.api.get(`/v1/endpoints/${endpoint.id}`).expect(200);
  expect((res.body as Endpoint).url).toBe('https://example.com/hooks');
});
