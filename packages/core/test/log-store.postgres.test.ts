import type { Change } from '../src/log/changes';
import { withClient } from '../src/log/postgres/database';
import { createPostgresLogStore } from '../src/log/postgres/postgres-log-store';
import {
  anEndpoint,
  aTenant,
  deliveryChange,
  eventChange,
  logStoreOfFile,
} from './log-store-fixtures';

// The log store's writes against a real Postgres (a database of this file's own): idempotent,
// and the same rows whatever order changes arrive in.

const log = logStoreOfFile('log_store');

/** Every row of the three tables, in key order. */
async function snapshot() {
  return withClient(log.url, async (sql) => ({
    events: (await sql.query('SELECT * FROM events ORDER BY id')).rows,
    deliveries: (await sql.query('SELECT * FROM deliveries ORDER BY id')).rows,
    attempts: (await sql.query('SELECT * FROM attempts ORDER BY delivery_id, number')).rows,
  }));
}

async function truncate(): Promise<void> {
  await withClient(log.url, (sql) => sql.query('TRUNCATE events, deliveries, attempts'));
}

/**
 * An event to two endpoints and everything that happens to them after: one delivered on the third
 * attempt, one dead-lettered, replayed, and delivered.
 */
function aHistory(): Change[] {
  const [a, b] = [anEndpoint(), anEndpoint()];
  const event = eventChange({
    tenant_id: aTenant(),
    endpoints: [a, b],
    resource: { id: 'ord_1', resource_type: 'order' },
  });
  const t = event.created_at;
  return [
    event,
    deliveryChange(event, a, {
      status: 'failed',
      attempts: 1,
      attempt: { status_code: 500, error: null },
      next_attempt_at: t + 5_000,
    }),
    deliveryChange(event, b, {
      status: 'failed',
      attempts: 1,
      attempt: { status_code: null, error: 'timeout' },
      next_attempt_at: t + 5_000,
    }),
    deliveryChange(event, a, {
      status: 'failed',
      attempts: 2,
      attempt: { status_code: 503, error: null },
      next_attempt_at: t + 30_000,
    }),
    deliveryChange(event, b, {
      status: 'dead',
      attempts: 2,
      attempt: { status_code: 410, error: null },
      dead_letter: true,
      at: t + 6_000,
    }),
    deliveryChange(event, a, {
      status: 'delivered',
      attempts: 3,
      attempt: { status_code: 200, error: null },
      at: t + 31_000,
    }),
    deliveryChange(event, b, { status: 'pending', attempts: 2, at: t + 60_000 }),
    deliveryChange(event, b, {
      status: 'delivered',
      attempts: 3,
      attempt: { status_code: 204, error: null },
      at: t + 61_000,
    }),
  ];
}

test("an event's change writes the event and its deliveries, pending and without attempts", async () => {
  const [a, b] = [anEndpoint(), anEndpoint()];
  const tenant = aTenant();
  const event = eventChange({
    tenant_id: tenant,
    endpoints: [a, b],
    resource: { id: 'ord_1', resource_type: 'order' },
  });
  await log.store.write([event]);

  const stored = await log.store.getEvent(event.id);
  expect(stored).toEqual({
    ...JSON.parse(event.body),
    tenant_id: tenant,
    trace_id: null,
    deliveries: event.deliveries
      .map((d) => ({ id: d.id, endpoint_id: d.endpoint_id, status: 'pending', attempts: 0 }))
      .sort((x, y) => (x.id < y.id ? -1 : 1)),
  });
  const [delivery] = await log.store.getDeliveries([event.deliveries[0]!.id]);
  expect(delivery).toEqual({
    id: event.deliveries[0]!.id,
    event_id: event.id,
    trace_id: null,
    endpoint_id: a,
    status: 'pending',
    attempts: [],
    next_attempt_at: null,
    created_at: new Date(event.created_at).toISOString(),
  });
});

describe('trace ids', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const traceparent = `00-${TRACE}-00f067aa0ba902b7-01`;

  test("an event and its deliveries show the trace id of the event's traceparent, read or listed", async () => {
    const endpoint = anEndpoint();
    const traced = eventChange({ endpoints: [endpoint], traceparent });
    const plain = eventChange({ endpoints: [endpoint] });
    await log.store.write([traced, plain]);
    const [tracedDelivery, plainDelivery] = [traced, plain].map((e) => e.deliveries[0]!.id);

    expect((await log.store.getEvent(traced.id))?.trace_id).toBe(TRACE);
    expect((await log.store.getEvent(plain.id))?.trace_id).toBeNull();
    const events = await log.store.listEvents({ limit: 250 });
    expect(events.data.find((e) => e.id === traced.id)?.trace_id).toBe(TRACE);
    expect(events.data.find((e) => e.id === plain.id)?.trace_id).toBeNull();

    const read = await log.store.getDeliveries([tracedDelivery!, plainDelivery!]);
    expect(read.map((d) => d.trace_id)).toEqual([TRACE, null]);
    const listed = await log.store.listDeliveries({ endpoint_id: endpoint, limit: 10 });
    expect(new Map(listed.data.map((d) => [d.id, d.trace_id]))).toEqual(
      new Map([
        [tracedDelivery, TRACE],
        [plainDelivery, null],
      ]),
    );
  });

  test("a delivery logged before its event has no trace id until the event's change is written", async () => {
    const endpoint = anEndpoint();
    const event = eventChange({ endpoints: [endpoint], traceparent });
    await log.store.write([deliveryChange(event, endpoint, { status: 'pending' })]);
    const id = event.deliveries[0]!.id;
    expect((await log.store.getDeliveries([id]))[0]?.trace_id).toBeNull();
    await log.store.write([event]);
    expect((await log.store.getDeliveries([id]))[0]?.trace_id).toBe(TRACE);
  });
});

test('the same batch written twice leaves the rows it left the first time', async () => {
  await truncate();
  const history = aHistory();
  await log.store.write(history);
  const once = await snapshot();
  await log.store.write(history);
  expect(await snapshot()).toEqual(once);
  expect(once.attempts).toHaveLength(6);
});

test('changes written one at a time in reverse order leave the rows one batch in order leaves', async () => {
  await truncate();
  const history = aHistory();
  await log.store.write(history);
  const inOrder = await snapshot();

  await truncate();
  for (const change of [...history].reverse()) await log.store.write([change]);
  expect(await snapshot()).toEqual(inOrder);

  await truncate();
  await log.store.write([...history].reverse());
  expect(await snapshot()).toEqual(inOrder);
});

test('a delivery holds the newest change written, its attempts all, and the last attempt its status code', async () => {
  const history = aHistory();
  await log.store.write(history);
  const event = history[0]!;
  if (event.kind !== 'event') throw new Error('the history starts with its event');
  const [a, b] = await log.store.getDeliveries(event.deliveries.map((d) => d.id));
  expect(a).toMatchObject({ status: 'delivered', next_attempt_at: null, event_id: event.id });
  expect(a!.attempts.map((x) => [x.number, x.status_code, x.error])).toEqual([
    [1, 500, null],
    [2, 503, null],
    [3, 200, null],
  ]);
  expect(b!.attempts.map((x) => [x.number, x.status_code, x.error])).toEqual([
    [1, null, 'timeout'],
    [2, 410, null],
    [3, 204, null],
  ]);
  expect(a!.attempts[0]).toEqual({
    number: 1,
    at: new Date(event.created_at + 1_000).toISOString(),
    duration_ms: 12.5,
    status_code: 500,
    error: null,
    response_excerpt: 'status 500',
  });
});

test('a change older than what the row holds changes nothing', async () => {
  const endpoint = anEndpoint();
  const event = eventChange({ endpoints: [endpoint] });
  const older = deliveryChange(event, endpoint, {
    status: 'failed',
    attempts: 1,
    attempt: { status_code: 500, error: null },
    next_attempt_at: event.created_at + 5_000,
  });
  const newer = deliveryChange(event, endpoint, {
    status: 'delivered',
    attempts: 2,
    attempt: { status_code: 200, error: null },
  });
  await log.store.write([event, newer]);
  await log.store.write([older]);
  const [delivery] = await log.store.getDeliveries([newer.id]);
  expect(delivery?.status).toBe('delivered');
  expect(delivery?.next_attempt_at).toBeNull();
  // Its attempt is still history: it is kept.
  expect(delivery?.attempts.map((x) => x.number)).toEqual([1, 2]);
  expect(await log.store.count({ endpoint_id: endpoint, http_status: 200 })).toBe(1);
});

test("a delivery's change written before its event's writes the whole row, which the event's leaves as it is", async () => {
  const endpoint = anEndpoint();
  const tenant = aTenant();
  const event = eventChange({
    tenant_id: tenant,
    name: 'invoice.paid',
    endpoints: [endpoint],
    resource: { id: 'inv_1', resource_type: 'invoice' },
  });
  const change = deliveryChange(event, endpoint, {
    status: 'dead',
    attempts: 1,
    attempt: { status_code: 410, error: null },
    dead_letter: true,
  });
  await log.store.write([change]);
  await log.store.write([event]);
  const search = {
    tenant_id: tenant,
    endpoint_id: endpoint,
    event_id: event.id,
    name: 'invoice.*',
    resource_id: 'inv_1',
  };
  expect(
    await log.store.count({ ...search, status: 'dead', dead_letter: true, http_status: 410 }),
  ).toBe(1);
  expect((await log.store.getEvent(event.id))?.deliveries).toEqual([
    { id: change.id, endpoint_id: endpoint, status: 'dead', attempts: 1 },
  ]);
});

test('a replay without an attempt keeps the last status code of the attempt before it', async () => {
  const endpoint = anEndpoint();
  const event = eventChange({ endpoints: [endpoint] });
  const dead = deliveryChange(event, endpoint, {
    status: 'dead',
    attempts: 1,
    attempt: { status_code: 500, error: null },
    dead_letter: true,
  });
  const replayed = deliveryChange(event, endpoint, { status: 'pending', attempts: 1 });
  await log.store.write([event, replayed]);
  await log.store.write([dead]);
  expect(
    await log.store.count({
      endpoint_id: endpoint,
      http_status: 500,
      status: 'pending',
      dead_letter: false,
    }),
  ).toBe(1);
});

test('a test delivery shows no event id', async () => {
  const endpoint = anEndpoint();
  const event = eventChange({ test: true, endpoints: [endpoint] });
  await log.store.write([event]);
  const [delivery] = await log.store.getDeliveries([event.deliveries[0]!.id]);
  expect(delivery?.event_id).toBeNull();
});

test('a change of a day past the retention whose partitions are gone is skipped, not refused', async () => {
  const now = Date.now();
  const short = createPostgresLogStore(log.url, { retentionMs: 3_600_000, now: () => now });
  try {
    const endpoint = anEndpoint();
    // Three days ago: past the retention, and no partition holds that day.
    const old = eventChange({ at: now - 3 * 86_400_000, endpoints: [endpoint] });
    const recent = eventChange({ at: now - 60_000, endpoints: [endpoint] });
    await short.write([
      old,
      recent,
      deliveryChange(old, endpoint, {
        status: 'delivered',
        attempts: 1,
        attempt: { status_code: 200, error: null },
      }),
    ]);
    expect(await log.store.getEvent(old.id)).toBeUndefined();
    expect(await log.store.count({ endpoint_id: endpoint })).toBe(1);
  } finally {
    await short.close();
  }
});

test('a batch is all or nothing', async () => {
  const endpoint = anEndpoint();
  const event = eventChange({ endpoints: [endpoint] });
  const broken = {
    ...deliveryChange(event, endpoint, { status: 'delivered' }),
    status: 'lost',
  } as unknown as Change;
  await expect(log.store.write([event, broken])).rejects.toThrow();
  expect(await log.store.getEvent(event.id)).toBeUndefined();
});
