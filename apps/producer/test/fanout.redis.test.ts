import { EndpointCreate } from '@hookline/api';
import { startApp, type Harness } from './harness';
import { countJobs } from '@hookline/core/testing';

const ENDPOINTS = 10_000;
const CHUNK = 500;

let h: Harness;

beforeAll(async () => {
  h = await startApp('fanout');
});
afterAll(() => h.close());

test('one publish fans out to 10,000 subscribed endpoints', async () => {
  const input = EndpointCreate.parse({
    url: 'https://example.com/hooks',
    event_types: ['fan.out'],
  });
  for (let start = 0; start < ENDPOINTS; start += CHUNK) {
    await Promise.all(
      Array.from({ length: Math.min(CHUNK, ENDPOINTS - start) }, () =>
        h.context.endpoints.create(input),
      ),
    );
  }

  const res = await h.api.post('/v1/events', { name: 'fan.out', data: { big: true } });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ id: expect.stringMatching(/^evt_/) as string, deliveries: ENDPOINTS });

  const event = (await h.api.get(`/v1/events/${(res.body as { id: string }).id}`).expect(200))
    .body as {
    deliveries: { endpoint_id: string; status: string }[];
  };
  expect(event.deliveries).toHaveLength(ENDPOINTS);
  expect(new Set(event.deliveries.map((d) => d.endpoint_id)).size).toBe(ENDPOINTS);
  expect(event.deliveries.every((d) => d.status === 'pending')).toBe(true);
  expect(await countJobs(h.context.queues, 'deliveries', 'waiting', 'delayed', 'prioritized')).toBe(
    ENDPOINTS,
  );
}, 60_000);
