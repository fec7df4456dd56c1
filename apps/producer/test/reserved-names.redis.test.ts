import { type Endpoint } from '@hookline/api';
import { endpointBody, startApp, type Harness } from './harness';
import { expectRefusedAt } from './refusals';

let h: Harness;
let endpoint: Endpoint;

beforeAll(async () => {
  h = await startApp('reserved-names');
  endpoint = (await h.api.post('/v1/endpoints', endpointBody()).expect(201)).body as Endpoint;
});
afterAll(() => h.close());

const RESERVED = ['hookline.delivery.dead', 'HOOKLINE.delivery.dead', 'Hookline.endpoint.disabled'];

test.each(RESERVED)('publishing %j is 422 at name', async (name) => {
  expectRefusedAt(await h.api.post('/v1/events', { name, data: {} }), 'name');
});

test.each(RESERVED)('a batch holding %j is 422 at its name', async (name) => {
  const events = [
    { name: 'order.filled', data: {} },
    { name, data: {} },
  ];
  expectRefusedAt(await h.api.post('/v1/events/batch', { events }), 'events.1.name');
});

test.each(RESERVED)('a test send of %j is 422 at name', async (name) => {
  expectRefusedAt(
    await h.api.post(`/v1/endpoints/${endpoint.id}/test`, { name, data: {} }),
    'name',
  );
});

test('nothing was published', async () => {
  await h.logged();
  const res = await h.api.get('/v1/events').expect(200);
  expect((res.body as { data: unknown[] }).data).toEqual([]);
});
