import { type Endpoint } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import { countJobs } from '@hookline/core/testing';
import { startTestLogWriter } from '@hookline/core/testing-log';
import { endpointBody, expectError, startApp, type Harness } from './harness';

let h: Harness;
// A fixed instant, recent enough for the log to keep what is published at it (HOOKLINE_RETENTION).
const NOW = Math.floor(Date.now() / 1000) * 1000;
const CREATED_AT = new Date(NOW).toISOString();

beforeAll(async () => {
  h = await startApp('events', { now: () => NOW });
});
afterAll(() => h.close());

const create = async (eventTypes: string[], extra: Record<string, unknown> = {}) =>
  (
    (
      await h.api
        .post('/v1/endpoints', endpointBody({ event_types: eventTypes, ...extra }))
        .expect(201)
    ).body as Endpoint
  ).id;
const detailPaths = (body: unknown) =>
  (body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);

describe('POST /v1/events', () => {
  test('fans an event out to every endpoint subscribed to its name: 202 {id, deliveries}', async () => {
    const exact = await create(['invoice.paid']);
    const wildcard = await create(['invoice.*']);
    await create(['user.created']);
    await create(['invoice.paid'], { disabled: true });
    const res = await h.api.post('/v1/events', { name: 'invoice.paid', data: { amount: 5 } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^evt_[0-9A-Z]{26}$/) as string,
      deliveries: 2,
    });
    const { id } = res.body as { id: string };
    for (const endpoint of [exact, wildcard]) {
      expect(
        await h.context.queues
          .of(deliveryIdFor(id, endpoint))
          .deliveries.getJob(deliveryIdFor(id, endpoint)),
      ).toBeDefined();
    }
  });

  test('stores the exact body receivers get, fields in order, with created_at from the clock', async () => {
    const endpoint = await create(['order.filled']);
    const res = await h.api.post('/v1/events', {
      data: { b: 1, a: [true, null] },
      resource: { resource_type: 'order', id: 'ord_1' },
      name: 'order.filled',
    });
    const { id } = res.body as { id: string };
    const job = await h.context.inFlight.get(deliveryIdFor(id, endpoint));
    expect(job?.data.body).toBe(
      `{"id":"${id}","name":"order.filled","resource":{"id":"ord_1","resource_type":"order"},"data":{"b":1,"a":[true,null]},"created_at":"${CREATED_AT}"}`,
    );
  });

  test('endpoint_ids restricts the fan-out to those of the named endpoints that are subscribed', async () => {
    const a = await create(['restrict.me']);
    const b = await create(['restrict.*']);
    const other = await create(['something.else']);
    await create(['restrict.me']);
    const res = await h.api
      .post('/v1/events', { name: 'restrict.me', data: {}, endpoint_ids: [a, b, other, a] })
      .expect(202);
    const event = (await h.api.get(`/v1/events/${(res.body as { id: string }).id}`).expect(200))
      .body as {
      deliveries: { endpoint_id: string }[];
    };
    expect(res.body).toMatchObject({ deliveries: 2 });
    expect(event.deliveries.map((d) => d.endpoint_id).sort()).toEqual([a, b].sort());
  });

  test('endpoint_ids naming an endpoint that does not exist is 422 at endpoint_ids.N', async () => {
    const a = await create(['x']);
    const res = await h.api.post('/v1/events', {
      name: 'x',
      data: {},
      endpoint_ids: [a, 'ep_01JH0000000000000000000000'],
    });
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    expect(detailPaths(res.body)).toEqual(['endpoint_ids.1']);
  });

  test('refuses a bad name, non-object data, a bad resource and a malformed endpoint id', async () => {
    const res = await h.api.post('/v1/events', {
      name: 'has space',
      data: [1],
      resource: { id: '' },
      endpoint_ids: ['nope'],
    });
    expect(res.status).toBe(422);
    expect(detailPaths(res.body)).toEqual(
      expect.arrayContaining([
        'name',
        'data',
        'resource.id',
        'resource.resource_type',
        'endpoint_ids.0',
      ]),
    );
  });
});

describe('POST /v1/events/batch', () => {
  test('publishes every event: 202 {data: [{id, deliveries}]} in order', async () => {
    await create(['batch.one']);
    const res = await h.api.post('/v1/events/batch', {
      events: [
        { name: 'batch.one', data: { n: 1 } },
        { name: 'batch.none', data: { n: 2 } },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      data: [
        { id: expect.stringMatching(/^evt_/) as string, deliveries: 1 },
        { id: expect.stringMatching(/^evt_/) as string, deliveries: 0 },
      ],
    });
    for (const { id } of (res.body as { data: { id: string }[] }).data)
      await h.api.get(`/v1/events/${id}`).expect(200);
  });

  test('a batch with an unknown endpoint id is 422 at events.I.endpoint_ids.N and writes nothing', async () => {
    const a = await create(['batch.two']);
    const listed = async () => {
      await h.logged();
      return h.context.log.listDeliveries({ endpoint_id: a, limit: 250 });
    };
    const before = await listed();
    const res = await h.api.post('/v1/events/batch', {
      events: [
        { name: 'batch.two', data: {} },
        { name: 'batch.two', data: {}, endpoint_ids: [a, 'ep_01JH0000000000000000000000'] },
      ],
    });
    expect(res.status).toBe(422);
    expect(detailPaths(res.body)).toEqual(['events.1.endpoint_ids.1']);
    expect(await listed()).toEqual(before);
  });

  test('an empty batch and a batch over 1000 events are 422', async () => {
    expect(
      detailPaths((await h.api.post('/v1/events/batch', { events: [] }).expect(422)).body),
    ).toEqual(['events']);
    const events = Array.from({ length: 1001 }, () => ({ name: 'a', data: {} }));
    expect(
      detailPaths((await h.api.post('/v1/events/batch', { events }).expect(422)).body),
    ).toEqual(['events']);
  });

  test('a bad event is reported at its index', async () => {
    const res = await h.api.post('/v1/events/batch', {
      events: [{ name: 'ok', data: {} }, {}, { name: 'ok', data: {} }, { name: '', data: {} }],
    });
    expect([...new Set(detailPaths(res.body))]).toEqual([
      'events.1.name',
      'events.1.data',
      'events.3.name',
    ]);
  });
});

describe('GET /v1/events/:id', () => {
  test('returns the event and the state of each delivery', async () => {
    const endpoint = await create(['read.me']);
    const { id } = (await h.api.post('/v1/events', { name: 'read.me', data: { x: 1 } })).body as {
      id: string;
    };
    const res = await h.api.get(`/v1/events/${id}`).expect(200);
    expect(res.body).toEqual({
      id,
      name: 'read.me',
      tenant_id: null,
      trace_id: null,
      data: { x: 1 },
      created_at: CREATED_AT,
      deliveries: [
        { id: deliveryIdFor(id, endpoint), endpoint_id: endpoint, status: 'pending', attempts: 0 },
      ],
    });
  });

  test('a 202’d event and its delivery are readable at once, before the log has them, and the same after', async () => {
    // No log writer: what is read back can only come from Redis.
    const own = await startApp('events-unlogged', { logWriter: false, now: () => NOW });
    try {
      const endpoint = (
        (await own.api.post('/v1/endpoints', endpointBody()).expect(201)).body as Endpoint
      ).id;
      const { id } = (await own.api.post('/v1/events', { name: 'read.now', data: { x: 1 } }))
        .body as { id: string };
      const deliveryId = deliveryIdFor(id, endpoint);
      const read = async () => ({
        event: (await own.api.get(`/v1/events/${id}`).expect(200)).body as unknown,
        delivery: (await own.api.get(`/v1/deliveries/${deliveryId}`).expect(200)).body as unknown,
      });

      const before = await read();
      expect(await own.context.log.getEvent(id)).toBeUndefined();
      expect(await own.context.log.getDeliveries([deliveryId])).toEqual([]);
      expect(before).toEqual({
        event: {
          id,
          name: 'read.now',
          tenant_id: null,
          trace_id: null,
          data: { x: 1 },
          created_at: CREATED_AT,
          deliveries: [{ id: deliveryId, endpoint_id: endpoint, status: 'pending', attempts: 0 }],
        },
        delivery: {
          id: deliveryId,
          event_id: id,
          trace_id: null,
          endpoint_id: endpoint,
          status: 'pending',
          attempts: [],
          next_attempt_at: null,
          created_at: CREATED_AT,
        },
      });

      const writer = startTestLogWriter(own.context);
      try {
        await own.logged();
      } finally {
        await writer.close();
      }
      expect(await own.context.log.getEvent(id)).toBeDefined();
      expect(await read()).toEqual(before);
    } finally {
      await own.close();
    }
  });

  test('an unknown or malformed event id is 404', async () => {
    expectError(
      (await h.api.get('/v1/events/evt_01JH0000000000000000000000').expect(404)).body,
      'not_found',
    );
    expectError(
      (await h.api.get('/v1/events/whd_01JH0000000000000000000000').expect(404)).body,
      'not_found',
    );
  });
});

describe('Idempotency-Key', () => {
  test('twenty concurrent publishes with one key create one event and answer all the same', async () => {
    const own = await startApp('events-idem');
    try {
      const endpoint = (
        (await own.api.post('/v1/endpoints', endpointBody()).expect(201)).body as Endpoint
      ).id;
      const body = { name: 'idem.concurrent', data: { n: 1 } };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          own.api.post('/v1/events', body).set('Idempotency-Key', 'key-concurrent'),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(202));
      const ids = new Set(responses.map((r) => (r.body as { id: string }).id));
      expect(ids.size).toBe(1);
      expect(responses.every((r) => (r.body as { deliveries: number }).deliveries === 1)).toBe(
        true,
      );
      expect(
        await countJobs(
          own.context.queues,
          'deliveries',
          'waiting',
          'delayed',
          'active',
          'prioritized',
        ),
      ).toBe(1);
      await own.logged();
      expect(
        (await own.context.log.listDeliveries({ endpoint_id: endpoint, limit: 10 })).data,
      ).toHaveLength(1);
      expect(
        (await own.metrics.eventsPublished.get()).values.find((v) => v.labels.source === 'api')
          ?.value,
      ).toBe(1);
    } finally {
      await own.close();
    }
  });

  test('a retry with the same key and body gets the same status and body back', async () => {
    await create(['idem.retry']);
    const first = await h.api
      .post('/v1/events', { name: 'idem.retry', data: {} })
      .set('Idempotency-Key', 'k-retry')
      .expect(202);
    const again = await h.api
      .post('/v1/events', { name: 'idem.retry', data: {} })
      .set('Idempotency-Key', 'k-retry')
      .expect(202);
    expect(again.body).toEqual(first.body);
  });

  test('the same key with another body is 422 idempotency_conflict', async () => {
    await h.api
      .post('/v1/events', { name: 'idem.conflict', data: { v: 1 } })
      .set('Idempotency-Key', 'k-conflict')
      .expect(202);
    const res = await h.api
      .post('/v1/events', { name: 'idem.conflict', data: { v: 2 } })
      .set('Idempotency-Key', 'k-conflict');
    expect(res.status).toBe(422);
    expectError(res.body, 'idempotency_conflict');
  });

  test('single publishes and batches keep their keys apart', async () => {
    await h.api
      .post('/v1/events', { name: 'idem.scope', data: {} })
      .set('Idempotency-Key', 'k-scope')
      .expect(202);
    const batch = await h.api
      .post('/v1/events/batch', { events: [{ name: 'idem.scope', data: {} }] })
      .set('Idempotency-Key', 'k-scope');
    expect(batch.status).toBe(202);
    expect(batch.body).toHaveProperty('data');
  });

  test('a batch retried with its key is not published twice', async () => {
    const endpoint = await create(['idem.batch']);
    const body = {
      events: [
        { name: 'idem.batch', data: {} },
        { name: 'idem.batch', data: { b: 1 } },
      ],
    };
    const first = await h.api
      .post('/v1/events/batch', body)
      .set('Idempotency-Key', 'k-batch')
      .expect(202);
    const again = await h.api
      .post('/v1/events/batch', body)
      .set('Idempotency-Key', 'k-batch')
      .expect(202);
    expect(again.body).toEqual(first.body);
    await h.logged();
    expect(
      (await h.context.log.listDeliveries({ endpoint_id: endpoint, limit: 10 })).data,
    ).toHaveLength(2);
  });

  test('a publish refused for a bad body does not use up its key', async () => {
    await h.api
      .post('/v1/events', { name: 'bad name', data: {} })
      .set('Idempotency-Key', 'k-after-422')
      .expect(422);
    await h.api
      .post('/v1/events', { name: 'good.name', data: {} })
      .set('Idempotency-Key', 'k-after-422')
      .expect(202);
  });

  test('a publish refused for an unknown endpoint id frees its key for a corrected retry', async () => {
    const key = 'k-unknown-endpoint';
    await h.api
      .post('/v1/events', { name: 'x', data: {}, endpoint_ids: ['ep_01JH0000000000000000000000'] })
      .set('Idempotency-Key', key)
      .expect(422);
    await h.api.post('/v1/events', { name: 'x', data: {} }).set('Idempotency-Key', key).expect(202);
  });

  test('a key longer than 255 characters, or an empty one, is 422 validation_failed', async () => {
    for (const key of ['x'.repeat(256), '']) {
      const res = await h.api
        .post('/v1/events', { name: 'a', data: {} })
        .set('Idempotency-Key', key);
      expect(res.status).toBe(422);
      expectError(res.body, 'validation_failed');
      expect(detailPaths(res.body)).toEqual(['Idempotency-Key']);
    }
    await h.api
      .post('/v1/events', { name: 'a', data: {} })
      .set('Idempotency-Key', 'x'.repeat(255))
      .expect(202);
  });
});
