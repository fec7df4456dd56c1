import { EndpointCreate } from '@hookline/api';
import { countJobs } from '@hookline/core/testing';
import { startTestLogWriter } from '@hookline/core/testing-log';
import { startApp, type Harness } from './harness';

const ENDPOINTS = 10_000;
const CHUNK = 500;

type Read = { deliveries: { endpoint_id: string; status: string }[] };

// No log writer beside the app until a test starts one: the event is read before the log has it.
let h: Harness;
let eventId: string;

beforeAll(async () => {
  h = await startApp('fanout', { logWriter: false });
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
  eventId = (res.body as { id: string }).id;
}, 60_000);
afterAll(() => h.close());

const expectEveryDeliveryPending = (event: Read) => {
  expect(event.deliveries).toHaveLength(ENDPOINTS);
  expect(new Set(event.deliveries.map((d) => d.endpoint_id)).size).toBe(ENDPOINTS);
  expect(event.deliveries.every((d) => d.status === 'pending')).toBe(true);
};

// Each chunk of a large fan-out is a change of its own, marked until the log has it: read before
// then, the event shows the deliveries of every chunk.
test('one publish to 10,000 endpoints is read back whole before the log has it', async () => {
  expect(await h.context.log.getEvent(eventId)).toBeUndefined();
  expectEveryDeliveryPending((await h.api.get(`/v1/events/${eventId}`).expect(200)).body as Read);
});

test('one publish fans out to 10,000 subscribed endpoints: a job each, all of them in the log', async () => {
  expect(await countJobs(h.context.queues, 'deliveries', 'waiting', 'delayed', 'prioritized')).toBe(
    ENDPOINTS,
  );
  const writer = startTestLogWriter(h.context);
  try {
    await h.logged();
  } finally {
    await writer.close();
  }
  expectEveryDeliveryPending((await h.api.get(`/v1/events/${eventId}`).expect(200)).body as Read);
  expect(await h.context.log.count({ event_id: eventId, status: 'pending' })).toBe(ENDPOINTS);
}, 60_000);
