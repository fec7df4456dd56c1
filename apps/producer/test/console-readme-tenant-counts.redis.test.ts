import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TenantKey } from '@hookline/api';
import request from 'supertest';
import { endpointBody, startApp, type Harness } from './harness';

// What apps/console/README.md says a tenant key gets from GET /v1/tenants/:id (the portal's
// pending and dead-letter figures rest on it) is what the API answers.

const README = path.join(__dirname, '..', '..', 'console', 'README.md');

let h: Harness;
beforeAll(async () => {
  h = await startApp('console-readme');
});
afterAll(() => h.close());

/** The README's paragraphs that speak of GET /v1/tenants/:id (not of its keys). */
function claimsAboutTenantCounts(): string[] {
  return readFileSync(README, 'utf8')
    .split(/\n\s*\n/)
    .filter((paragraph) => /\/v1\/tenants\/:id(?!\/)/.test(paragraph.replace(/\s+/g, ' ')));
}

test('the console README says what a tenant key gets from GET /v1/tenants/:id', async () => {
  for (const tenant_id of ['readme-a', 'readme-b'])
    await h.api.post('/v1/endpoints', endpointBody({ tenant_id })).expect(201);
  const { key } = (await h.api.post('/v1/tenants/readme-a/keys', {}).expect(201)).body as TenantKey;
  const get = (id: string) =>
    request(h.app).get(`/v1/tenants/${id}`).set('Authorization', `Bearer ${key}`);
  const own = (await get('readme-a')).status;
  const other = (await get('readme-b')).status;
  expect([own, other]).toEqual([200, 404]);

  const claims = claimsAboutTenantCounts().join('\n');
  expect(claims).not.toBe('');
  expect(claims).not.toMatch(/`403`/);
  expect(claims).toContain(`\`${own}\``);
  expect(claims).toContain(`\`${other}\``);
});
