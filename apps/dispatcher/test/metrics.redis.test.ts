import { waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { sample, spawnService, type Service } from './services';

// A known run through real producer and dispatcher processes, then both scraped as Prometheus
// would: n events delivered, m dead after 3 attempts each (a '50ms,100ms' schedule).
const KEY = 'metrics-test-key-'.padEnd(40, 'x');
const N = 7;
const M = 3;

let h: Harness;
const receivers: Receiver[] = [];
const services: Service[] = [];

beforeAll(async () => {
  h = await Harness.create();
});
afterAll(async () => {
  for (const s of services) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
  await Promise.all(receivers.map((r) => r.close()));
  await h.close();
});

async function api(producer: Service, path: string, body: unknown) {
  const res = await fetch(producer.url(path), {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { id: string } };
}

test('after n delivered, m dead and k failed attempts, both processes report exactly those counts', async () => {
  const good = await Receiver.start();
  const bad = await Receiver.start((_req, res) => res.writeHead(500).end('nope'));
  receivers.push(good, bad);
  const env = h.processEnv({ HOOKLINE_API_KEYS: KEY, HOOKLINE_RETRY_SCHEDULE: '50ms,100ms' });
  const producer = await spawnService('producer', env);
  services.push(producer);
  const dispatcher = await spawnService('dispatcher', env);
  services.push(dispatcher);

  expect(
    (await api(producer, '/v1/endpoints', { url: good.url(), event_types: ['good.*'] })).status,
  ).toBe(201);
  expect(
    (await api(producer, '/v1/endpoints', { url: bad.url(), event_types: ['bad.*'] })).status,
  ).toBe(201);
  for (let i = 0; i < N; i++)
    expect((await api(producer, '/v1/events', { name: 'good.thing', data: { i } })).status).toBe(
      202,
    );
  for (let i = 0; i < M; i++)
    expect((await api(producer, '/v1/events', { name: 'bad.thing', data: { i } })).status).toBe(
      202,
    );

  await waitFor(
    async () => good.received.length === N && (await h.api.log.count({ dead_letter: true })) === M,
    {
      message: `${N} delivered and ${M} dead`,
    },
  );
  const scrape = async (s: Service) => (await fetch(s.url('/metrics'))).text();
  // The last transition is written before the counters move: wait for the counters, then check them all.
  await waitFor(
    async () =>
      sample(
        await scrape(dispatcher),
        'hookline_deliveries_total',
        '{outcome="dead",destination_type="http"}',
      ) === M,
  );
  const d = await scrape(dispatcher);
  const p = await scrape(producer);

  expect(sample(p, 'hookline_events_published_total', '{source="api"}')).toBe(N + M);
  expect(sample(p, 'hookline_events_published_total', '{source="operational"}')).toBe(0);
  // Each dead delivery's report, published by the dispatcher, not a publish through the API.
  expect(sample(d, 'hookline_events_published_total', '{source="api"}')).toBe(0);
  expect(sample(p, 'hookline_http_requests_total', '{route="/v1/events",status="202"}')).toBe(
    N + M,
  );
  expect(sample(p, 'hookline_http_requests_total', '{route="/v1/endpoints",status="201"}')).toBe(2);
  expect(
    sample(d, 'hookline_deliveries_total', '{outcome="delivered",destination_type="http"}'),
  ).toBe(N);
  expect(sample(d, 'hookline_deliveries_total', '{outcome="dead",destination_type="http"}')).toBe(
    M,
  );
  expect(
    sample(d, 'hookline_delivery_attempts_total', '{result="success",destination_type="http"}'),
  ).toBe(N);
  expect(
    sample(d, 'hookline_delivery_attempts_total', '{result="http_error",destination_type="http"}'),
  ).toBe(3 * M);
  expect(sample(d, 'hookline_delivery_duration_seconds_count', '{destination_type="http"}')).toBe(
    N + 3 * M,
  );
  expect(sample(d, 'hookline_delivery_latency_seconds_count', '{destination_type="http"}')).toBe(N);
  for (const text of [d, p]) {
    expect(sample(text, 'hookline_dead_letter_size')).toBe(M);
    expect(sample(text, 'hookline_queue_jobs', '{queue="deliveries",state="waiting"}')).toBe(0);
    expect(sample(text, 'hookline_queue_jobs', '{queue="deliveries",state="failed"}')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  }
});
