import { QUEUE_NAMES } from '@hookline/core';
import request from 'supertest';
import { API_KEY, AUTH, startApp, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startApp('admin');
});
afterAll(() => h.close());

test('bull-board asks a browser for the API key instead of showing the queues', async () => {
  const res = await request(h.app).get('/admin/queues');
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(/^Basic /);
  expect(res.body).toMatchObject({ error: { code: 'unauthorized' } });
});

test('bull-board refuses a wrong key given as a Basic password', async () => {
  const wrong = Buffer.from(`admin:${'x'.repeat(32)}`).toString('base64');
  const res = await request(h.app).get('/admin/queues').set('Authorization', `Basic ${wrong}`);
  expect(res.status).toBe(401);
});

test('bull-board opens with the API key as a Basic password', async () => {
  const basic = Buffer.from(`admin:${API_KEY}`).toString('base64');
  const res = await request(h.app).get('/admin/queues').set('Authorization', `Basic ${basic}`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/html/);
});

test("bull-board's API lists every queue of every shard, and the catalog's, to a Bearer key", async () => {
  const res = await request(h.app).get('/admin/queues/api/queues').set(AUTH);
  expect(res.status).toBe(200);
  const names = (res.body as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
  const keys = h.context.keys;
  const expected = [
    ...keys.allShards.flatMap((shard) => QUEUE_NAMES.map((name) => `${keys.shard(shard)}:${name}`)),
    `${keys.catalog}:operational`,
  ];
  expect(names).toEqual(expected.sort());
});
