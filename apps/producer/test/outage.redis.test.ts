import { TestRedisServer, waitFor } from '@hookline/core/testing';
import request from 'supertest';
import { expectError, startApp, type Harness } from './harness';

// A Redis of this test's own, so stopping it disturbs no other test file.
let redis: TestRedisServer;
let h: Harness;

beforeAll(async () => {
  redis = await TestRedisServer.start();
  h = await startApp('outage', { redisUrl: redis.url });
});
afterAll(async () => {
  // If the test failed while Redis was down there is nothing to clean: the server is discarded.
  if (redis.pid !== undefined) await h.close();
  else await h.context.close();
  await redis.destroy();
});

test('while Redis is down writes answer 503 within a second and /readyz is 503; then it recovers', async () => {
  await h.api.post('/v1/events', { name: 'before.outage', data: {} }).expect(202);

  await redis.stop();

  const write = await h.api.post('/v1/events', { name: 'during.outage', data: {} }).timeout(1_500);
  expect(write.status).toBe(503);
  expectError(write.body, 'unavailable');
  const create = await h.api.post('/v1/endpoints', { url: 'https://example.com/a' }).timeout(1_500);
  expect(create.status).toBe(503);
  const idempotent = await h.api
    .post('/v1/events', { name: 'during.outage', data: {} })
    .set('Idempotency-Key', 'k')
    .timeout(1_500);
  expect(idempotent.status).toBe(503);
  const ready = await request(h.app).get('/readyz').timeout(1_500);
  expect(ready.status).toBe(503);
  expectError(ready.body, 'unavailable');
  await request(h.app).get('/healthz').expect(200);
  await request(h.app).get('/metrics').timeout(1_500).expect(200);

  await redis.start();

  await waitFor(async () => (await request(h.app).get('/readyz')).status === 200, {
    message: '/readyz to be 200 again',
  });
  await waitFor(
    async () => (await h.api.post('/v1/events', { name: 'after.outage', data: {} })).status === 202,
    {
      message: 'a publish to succeed again',
    },
  );
  await h.api.post('/v1/endpoints', { url: 'https://example.com/a' }).expect(201);
});
