import { type Attempt, type Delivery, type Endpoint } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import { endpointBody, expectError, startApp, type Harness } from './harness';

let h: Harness;
/** The app's clock: the real one, unless a test fixes it. */
let fixedNow: number | undefined;

beforeAll(async () => {
  h = await startApp('deliveries', { now: () => fixedNow ?? Date.now() });
});
afterAll(() => h.close());

const attempt = (number: number): Attempt => ({
  number,
  at: new Date().toISOString(),
  duration_ms: 12,
  status_code: 500,
  error: null,
  response_excerpt: 'boom',
});

/** An endpoint subscribed to `name` alone, and `count` events published to it. */
async function endpointWithDeliveries(name: string, count: number) {
  const endpoint = (
    (await h.api.post('/v1/endpoints', endpointBody({ event_types: [name] })).expect(201))
      .body as Endpoint
  ).id;
  const deliveries: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = (await h.api.post('/v1/events', { name, data: { i } }).expect(202)).body as {
      id: string;
    };
    deliveries.push(deliveryIdFor(id, endpoint));
  }
  return { endpoint, deliveries };
}

/** Settles a delivery as a dispatcher's first attempt would have. */
const settle = (id: string, status: 'dead' | 'failed' | 'delivered') =>
  h.settle(id, status, attempt(1));

/** The ids in the dead letter (of one endpoint, or all of it), as the log has them now. */
async function deadLetterIds(endpointId?: string): Promise<string[]> {
  await h.logged();
  const page = await h.context.log.listDeliveries({
    dead_letter: true,
    endpoint_id: endpointId,
    limit: 250,
  });
  return page.data.map((d) => d.id);
}

const statusOf = async (id: string) =>
  ((await h.api.get(`/v1/deliveries/${id}`).expect(200)).body as Delivery).status;

describe('GET /v1/deliveries/:id', () => {
  test('returns the delivery with all its attempts', async () => {
    const { endpoint, deliveries } = await endpointWithDeliveries('read.delivery', 1);
    const id = deliveries[0]!;
    const first = attempt(1);
    const delivery = (await h.context.inFlight.get(id))!;
    await h.context.inFlight.record(delivery, {
      to: 'failed',
      attempt: first,
      nextAttemptAt: Date.parse('2030-01-01T00:00:00Z'),
      now: Date.now(),
    });
    const res = await h.api.get(`/v1/deliveries/${id}`).expect(200);
    expect(res.body).toEqual({
      id,
      event_id: expect.stringMatching(/^evt_/) as string,
      trace_id: null,
      endpoint_id: endpoint,
      status: 'failed',
      attempts: [first],
      next_attempt_at: '2030-01-01T00:00:00.000Z',
      created_at: expect.any(String) as string,
    });
  });

  test('an unknown or malformed delivery id is 404', async () => {
    expectError(
      (await h.api.get('/v1/deliveries/whd_01JH0000000000000000000000').expect(404)).body,
      'not_found',
    );
    expectError(
      (await h.api.get('/v1/deliveries/evt_01JH0000000000000000000000').expect(404)).body,
      'not_found',
    );
  });
});

describe('GET /v1/endpoints/:id/deliveries', () => {
  test('lists an endpoint’s deliveries newest first, by status, a page at a time', async () => {
    const { endpoint, deliveries } = await endpointWithDeliveries('list.deliveries', 5);
    await settle(deliveries[1]!, 'dead');
    await settle(deliveries[3]!, 'dead');
    await h.logged();

    const dead = (await h.api.get(`/v1/endpoints/${endpoint}/deliveries?status=dead`).expect(200))
      .body as { data: Delivery[] };
    expect(dead.data.map((d) => d.id)).toEqual([deliveries[3], deliveries[1]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await h.api.get(`/v1/endpoints/${endpoint}/deliveries${query}`).expect(200))
        .body as {
        data: Delivery[];
        next_cursor: string | null;
      };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([...deliveries].reverse());
  });

  test('an unknown status is 422 and an unknown endpoint 404', async () => {
    const { endpoint } = await endpointWithDeliveries('list.errors', 0);
    expectError(
      (await h.api.get(`/v1/endpoints/${endpoint}/deliveries?status=lost`).expect(422)).body,
      'validation_failed',
    );
    expectError(
      (await h.api.get('/v1/endpoints/ep_01JH0000000000000000000000/deliveries').expect(404)).body,
      'not_found',
    );
  });
});

describe('POST /v1/deliveries/:id/retry', () => {
  test('puts a dead delivery back to pending with a job to deliver it now', async () => {
    const { endpoint, deliveries } = await endpointWithDeliveries('retry.dead', 1);
    const id = deliveries[0]!;
    await settle(id, 'dead');
    expect(await h.context.queues.of(id).deliveries.getJob(id)).toBeUndefined();

    const res = await h.api.post(`/v1/deliveries/${id}/retry`).expect(202);
    expect(res.body).toMatchObject({
      id,
      status: 'pending',
      attempts: [expect.objectContaining({ number: 1 })],
    });
    expect(await h.context.queues.of(id).deliveries.getJob(id)).toBeDefined();
    expect(await deadLetterIds(endpoint)).not.toContain(id);
  });

  test('delivers a delivered delivery again', async () => {
    const { deliveries } = await endpointWithDeliveries('retry.delivered', 1);
    await settle(deliveries[0]!, 'delivered');
    await h.api.post(`/v1/deliveries/${deliveries[0]}/retry`).expect(202);
    expect(await statusOf(deliveries[0]!)).toBe('pending');
  });

  test('an unknown delivery is 404, and so is one whose endpoint was deleted', async () => {
    expectError(
      (await h.api.post('/v1/deliveries/whd_01JH0000000000000000000000/retry').expect(404)).body,
      'not_found',
    );
    const { endpoint, deliveries } = await endpointWithDeliveries('retry.orphan', 1);
    await h.api.delete(`/v1/endpoints/${endpoint}`).expect(204);
    expectError(
      (await h.api.post(`/v1/deliveries/${deliveries[0]}/retry`).expect(404)).body,
      'not_found',
    );
  });
});

describe('POST /v1/endpoints/:id/recover', () => {
  test('re-enqueues the failed and dead deliveries since the given time, not the delivered ones', async () => {
    const { endpoint, deliveries } = await endpointWithDeliveries('recover.me', 3);
    await settle(deliveries[0]!, 'dead');
    await settle(deliveries[1]!, 'failed');
    await settle(deliveries[2]!, 'delivered');
    await h.logged();

    const future = await h.api
      .post(`/v1/endpoints/${endpoint}/recover`, { since: '2099-01-01T00:00:00Z' })
      .expect(202);
    expect(future.body).toEqual({ recovered: 0 });

    const since = new Date(Date.now() - 60_000).toISOString();
    const res = await h.api.post(`/v1/endpoints/${endpoint}/recover`, { since }).expect(202);
    expect(res.body).toEqual({ recovered: 2 });
    expect([
      await statusOf(deliveries[0]!),
      await statusOf(deliveries[1]!),
      await statusOf(deliveries[2]!),
    ]).toEqual(['pending', 'pending', 'delivered']);
    expect(
      await h.context.queues.of(deliveries[0]!).deliveries.getJob(deliveries[0]!),
    ).toBeDefined();
    expect(
      await h.context.queues.of(deliveries[1]!).deliveries.getJob(deliveries[1]!),
    ).toBeDefined();
  });

  test('a missing or malformed since is 422, an unknown endpoint 404', async () => {
    const { endpoint } = await endpointWithDeliveries('recover.errors', 0);
    for (const body of [{}, { since: 'yesterday' }, { since: 5 }]) {
      const res = await h.api.post(`/v1/endpoints/${endpoint}/recover`, body).expect(422);
      expect((res.body as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
        'since',
      );
    }
    await h.api
      .post('/v1/endpoints/ep_01JH0000000000000000000000/recover', {
        since: '2026-01-01T00:00:00Z',
      })
      .expect(404);
  });
});

describe('dead letter', () => {
  test('lists dead deliveries, all or one endpoint’s', async () => {
    const one = await endpointWithDeliveries('dlq.list.one', 2);
    const two = await endpointWithDeliveries('dlq.list.two', 1);
    for (const id of one.deliveries) await settle(id, 'dead');
    await settle(two.deliveries[0]!, 'dead');

    const all = (await h.api.get('/v1/dead-letter?limit=250').expect(200)).body as {
      data: Delivery[];
    };
    expect(all.data.map((d) => d.id)).toEqual(
      expect.arrayContaining([...one.deliveries, ...two.deliveries]),
    );
    const mine = (await h.api.get(`/v1/dead-letter?endpoint_id=${one.endpoint}`).expect(200))
      .body as { data: Delivery[]; next_cursor: null };
    expect(mine).toEqual({
      data: [
        expect.objectContaining({ id: one.deliveries[1], status: 'dead' }),
        expect.objectContaining({ id: one.deliveries[0] }),
      ],
      next_cursor: null,
    });

    // Leave the shared dead letter empty for the tests below.
    await h.api.post('/v1/dead-letter/replay', {}).expect(202);
  });

  test('replays chosen ids: they leave the dead letter and go pending; others are skipped', async () => {
    const { endpoint, deliveries } = await endpointWithDeliveries('dlq.ids', 3);
    for (const id of deliveries) await settle(id, 'dead');
    const res = await h.api.post('/v1/dead-letter/replay', {
      ids: [deliveries[0], deliveries[1], 'whd_01JH0000000000000000000000'],
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ replayed: 2, dry_run: false });
    expect(await statusOf(deliveries[0]!)).toBe('pending');
    expect(await statusOf(deliveries[2]!)).toBe('dead');
    expect(
      (await h.api.post('/v1/dead-letter/replay', { ids: [deliveries[0]] }).expect(202)).body,
    ).toEqual({ replayed: 0, dry_run: false });
    await h.api.post('/v1/dead-letter/replay', { endpoint_id: endpoint }).expect(202);
  });

  test('replays one endpoint’s dead letter and leaves the others', async () => {
    const mine = await endpointWithDeliveries('dlq.mine', 2);
    const other = await endpointWithDeliveries('dlq.other', 1);
    for (const id of mine.deliveries) await settle(id, 'dead');
    await settle(other.deliveries[0]!, 'dead');

    const res = await h.api
      .post('/v1/dead-letter/replay', { endpoint_id: mine.endpoint })
      .expect(202);
    expect(res.body).toEqual({ replayed: 2, dry_run: false });
    await h.logged();
    expect((await h.api.get(`/v1/dead-letter?endpoint_id=${mine.endpoint}`)).body).toEqual({
      data: [],
      next_cursor: null,
    });
    expect(await statusOf(other.deliveries[0]!)).toBe('dead');

    // ids and endpoint_id together: only the ids of that endpoint.
    const both = await h.api
      .post('/v1/dead-letter/replay', { endpoint_id: mine.endpoint, ids: other.deliveries })
      .expect(202);
    expect(both.body).toEqual({ replayed: 0, dry_run: false });
  });

  test('replays everything with an empty body', async () => {
    const { deliveries } = await endpointWithDeliveries('dlq.all', 2);
    for (const id of deliveries) await settle(id, 'dead');
    const res = await h.api.post('/v1/dead-letter/replay').expect(202);
    expect((res.body as { replayed: number }).replayed).toBeGreaterThanOrEqual(2);
    await h.logged();
    expect(await h.context.log.count({ dead_letter: true })).toBe(0);
    for (const id of deliveries)
      expect(await h.context.queues.of(id).deliveries.getJob(id)).toBeDefined();
  });

  test('a dry run counts what a replay would take and replays nothing', async () => {
    const { endpoint, deliveries } = await endpointWithDeliveries('dlq.dry', 2);
    for (const id of deliveries) await settle(id, 'dead');
    const dry = await h.api
      .post('/v1/dead-letter/replay', { endpoint_id: endpoint, dry_run: true })
      .expect(202);
    expect(dry.body).toEqual({ replayed: 2, dry_run: true });
    expect(await deadLetterIds(endpoint)).toEqual([...deliveries].reverse());
    for (const id of deliveries) {
      expect(await statusOf(id)).toBe('dead');
      expect(await h.context.queues.of(id).deliveries.getJob(id)).toBeUndefined();
    }
    const real = await h.api.post('/v1/dead-letter/replay', { endpoint_id: endpoint }).expect(202);
    expect(real.body).toEqual({ replayed: 2, dry_run: false });
  });

  test('since (inclusive) and until (exclusive) replay only what was created between them', async () => {
    const start = Date.now() - 10 * 60_000;
    const minute = (n: number) => new Date(start + n * 60_000).toISOString();
    let made: Awaited<ReturnType<typeof endpointWithDeliveries>>;
    try {
      fixedNow = start;
      made = await endpointWithDeliveries('dlq.window', 0);
      for (let n = 0; n < 3; n++) {
        fixedNow = start + n * 60_000;
        const { id } = (await h.api.post('/v1/events', { name: 'dlq.window', data: { n } }))
          .body as { id: string };
        made.deliveries.push(deliveryIdFor(id, made.endpoint));
      }
    } finally {
      fixedNow = undefined;
    }
    const { endpoint, deliveries } = made;
    for (const id of deliveries) await settle(id, 'dead');
    const window = { endpoint_id: endpoint, since: minute(1), until: minute(2) };

    const dry = await h.api.post('/v1/dead-letter/replay', { ...window, dry_run: true });
    expect(dry.body).toEqual({ replayed: 1, dry_run: true });
    const res = await h.api.post('/v1/dead-letter/replay', window).expect(202);
    expect(res.body).toEqual({ replayed: 1, dry_run: false });
    expect([
      await statusOf(deliveries[0]!),
      await statusOf(deliveries[1]!),
      await statusOf(deliveries[2]!),
    ]).toEqual(['dead', 'pending', 'dead']);
    expect(await deadLetterIds(endpoint)).toEqual([deliveries[2], deliveries[0]]);
    await h.api.post('/v1/dead-letter/replay', { endpoint_id: endpoint }).expect(202);
  });

  test('an unknown endpoint is 404; malformed ids and an empty id list are 422', async () => {
    await h.api.get('/v1/dead-letter?endpoint_id=ep_01JH0000000000000000000000').expect(404);
    await h.api.get('/v1/dead-letter?endpoint_id=nope').expect(422);
    await h.api
      .post('/v1/dead-letter/replay', { endpoint_id: 'ep_01JH0000000000000000000000' })
      .expect(404);
    await h.api.post('/v1/dead-letter/replay', { ids: ['nope'] }).expect(422);
    await h.api.post('/v1/dead-letter/replay', { ids: [] }).expect(422);
    await h.api.post('/v1/dead-letter/replay', { since: 'yesterday' }).expect(422);
    await h.api.post('/v1/dead-letter/replay', { dry_run: 'yes' }).expect(422);
  });
});

describe('POST /v1/endpoints/:id/test', () => {
  test('sends a test event to that endpoint alone: 202 {id, deliveries: 1}', async () => {
    const { endpoint } = await endpointWithDeliveries('test.send', 0);
    const res = await h.api.post(`/v1/endpoints/${endpoint}/test`, {
      name: 'test.ping',
      data: { hello: 'world' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^evt_/) as string, deliveries: 1 });
    const id = deliveryIdFor((res.body as { id: string }).id, endpoint);
    // A test delivery carries no event id (receivers get no Event-Id header).
    expect((await h.api.get(`/v1/deliveries/${id}`).expect(200)).body).toMatchObject({
      event_id: null,
      endpoint_id: endpoint,
      status: 'pending',
    });
    expect(await h.context.queues.of(id).deliveries.getJob(id)).toBeDefined();
  });

  test('data defaults to {}', async () => {
    const { endpoint } = await endpointWithDeliveries('test.default', 0);
    const { id } = (
      await h.api.post(`/v1/endpoints/${endpoint}/test`, { name: 'test.ping' }).expect(202)
    ).body as { id: string };
    const job = await h.context.inFlight.get(deliveryIdFor(id, endpoint));
    expect(JSON.parse(job!.data.body)).toMatchObject({
      name: 'test.ping',
      data: {},
    });
  });

  test('a disabled endpoint is 422; an unknown one 404; a bad name 422', async () => {
    const disabled = (
      (await h.api.post('/v1/endpoints', endpointBody({ disabled: true })).expect(201))
        .body as Endpoint
    ).id;
    const res = await h.api.post(`/v1/endpoints/${disabled}/test`, { name: 'test.ping' });
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    await h.api
      .post('/v1/endpoints/ep_01JH0000000000000000000000/test', { name: 'test.ping' })
      .expect(404);
    await h.api.post(`/v1/endpoints/${disabled}/test`, { name: 'no spaces allowed' }).expect(422);
  });
});
