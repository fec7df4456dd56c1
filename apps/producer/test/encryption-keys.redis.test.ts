import { randomBytes } from 'node:crypto';
import type { CreatedEndpoint, Resealed, TenantKey } from '@hookline/api';
import {
  createContext,
  createLogger,
  createMetrics,
  metricSources,
  sealingKeyId,
  type HooklineContext,
} from '@hookline/core';
import { TEST_ENCRYPTION_KEY } from '@hookline/core/testing';
import request from 'supertest';
import { createApp } from '../src/app';
import { AUTH, expectError, startApp, type Harness } from './harness';

// A key rotation as an operator runs it: the processes get a new first key (the old one still
// opens), `POST /v1/encryption-keys/reseal` seals everything under it, then the old key goes.

const NEW = randomBytes(32);
let h: Harness;
const others: HooklineContext[] = [];

beforeAll(async () => {
  h = await startApp('reseal');
});
afterAll(async () => {
  await Promise.all(others.map((c) => c.close()));
  await h.close();
});

/** The same deployment's API, on a producer given these keys. */
function producerWith(encryptionKeys: Buffer[]) {
  const context = createContext({ ...h.config, encryptionKeys }, 'api');
  others.push(context);
  const app = createApp({
    context,
    config: h.config,
    metrics: createMetrics(metricSources(context)),
    logger: createLogger('silent', 'producer-test'),
  });
  return { context, app };
}

test('reseal moves every endpoint to the new first key; a producer with only the new key then serves them', async () => {
  const created: CreatedEndpoint[] = [];
  for (const body of [
    { url: 'https://example.com/a', headers: { Authorization: 'Bearer tok_a' } },
    { url: 'https://example.com/b', signature: 'v1a' },
  ])
    created.push((await h.api.post('/v1/endpoints', body).expect(201)).body as CreatedEndpoint);

  const rotated = producerWith([NEW, TEST_ENCRYPTION_KEY]);
  await rotated.context.ready();
  const first = await request(rotated.app).post('/v1/encryption-keys/reseal').set(AUTH).expect(200);
  expect(first.body as Resealed).toEqual({ resealed: 2, already_current: 0 });
  const again = await request(rotated.app).post('/v1/encryption-keys/reseal').set(AUTH).expect(200);
  expect(again.body as Resealed).toEqual({ resealed: 0, already_current: 2 });
  const raw = await h.context.redis.get(h.context.keys.endpoint(created[0]!.id));
  expect(raw).toContain(`hls1:${sealingKeyId(NEW)}:`);
  expect(raw).not.toContain(`hls1:${sealingKeyId(TEST_ENCRYPTION_KEY)}:`);

  const onlyNew = producerWith([NEW]);
  await onlyNew.context.ready();
  for (const endpoint of created) {
    const secret = await request(onlyNew.app)
      .get(`/v1/endpoints/${endpoint.id}/secret`)
      .set(AUTH)
      .expect(200);
    expect(secret.body).toEqual({ key: endpoint.secret });
  }
  const read = await request(onlyNew.app)
    .get(`/v1/endpoints/${created[0]!.id}`)
    .set(AUTH)
    .expect(200);
  expect((read.body as CreatedEndpoint).headers).toEqual({ Authorization: 'Bearer tok_a' });
});

test('a tenant key may not reseal: 403 forbidden', async () => {
  const { key } = (await h.api.post('/v1/tenants/acme/keys', {}).expect(201)).body as TenantKey;
  const res = await request(h.app)
    .post('/v1/encryption-keys/reseal')
    .set('Authorization', `Bearer ${key}`)
    .expect(403);
  expectError(res.body, 'forbidden');
});
