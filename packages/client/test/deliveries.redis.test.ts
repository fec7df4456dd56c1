import { verify } from '@hookline/webhooks';
import { waitFor } from '@hookline/core/testing';
import type { Delivery, Hookline } from '../src';
import { Harness, receiver } from './harness';

// Deliveries and the dead letter through the client, with a real dispatcher delivering to a real
// receiver (retry schedule: one retry after 20 ms).

let h: Harness;
let hookline: Hookline;

beforeAll(async () => {
  h = await Harness.start('client-dlv');
  h.startDispatcher();
  hookline = h.client();
});
afterAll(() => h.close());

const settled = (id: string, status: Delivery['status'], attempts = 1) =>
  waitFor(
    async () => {
      const delivery = await hookline.deliveries.get(id);
      return delivery.status === status && delivery.attempts.length >= attempts
        ? delivery
        : undefined;
    },
    { message: `${id} to be ${status} after ${attempts} attempt(s)` },
  );

async function publishTo(endpointId: string, data: Record<string, unknown> = {}) {
  const { id } = await hookline.events.publish({
    name: 'order.filled',
    data,
    endpoint_ids: [endpointId],
  });
  const [summary] = (await hookline.events.get(id)).deliveries;
  return { eventId: id, deliveryId: summary!.id };
}

test('deliveries.get shows a delivery with its attempts; retry delivers it again with the same Webhook-Id', async () => {
  const rx = await receiver();
  try {
    const endpoint = await hookline.endpoints.create({ url: `${rx.url}/hook` });
    const { eventId, deliveryId } = await publishTo(endpoint.id, { n: 1 });

    const delivered = await settled(deliveryId, 'delivered');
    expect(delivered).toMatchObject({
      id: deliveryId,
      event_id: eventId,
      endpoint_id: endpoint.id,
      next_attempt_at: null,
    });
    expect(delivered.attempts).toEqual([
      {
        number: 1,
        at: expect.any(String) as string,
        duration_ms: expect.any(Number) as number,
        status_code: 204,
        error: null,
        response_excerpt: '',
      },
    ]);
    expect(verify(rx.received[0]!.body, rx.received[0]!.headers, endpoint.secret)).toMatchObject({
      id: eventId,
      data: { n: 1 },
    });

    const retried = await hookline.deliveries.retry(deliveryId);
    expect(retried.id).toBe(deliveryId);
    await settled(deliveryId, 'delivered', 2);
    await waitFor(() => rx.received.length === 2, { message: 'the retry to arrive' });
    expect(rx.received[1]!.headers['webhook-id']).toBe(deliveryId);
  } finally {
    await rx.close();
  }
});

test("deliveries.list pages through an endpoint's deliveries, newest first, filtered by status", async () => {
  const rx = await receiver();
  try {
    const endpoint = await hookline.endpoints.create({ url: `${rx.url}/hook` });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await publishTo(endpoint.id, { i })).deliveryId);
    for (const id of ids) await settled(id, 'delivered');

    const listed = await hookline.deliveries
      .list({ endpoint_id: endpoint.id, status: 'delivered', limit: 2 })
      .toArray();
    expect(listed.map((d) => d.id)).toEqual([...ids].reverse());
    expect(
      await hookline.deliveries.list({ endpoint_id: endpoint.id, status: 'dead' }).toArray(),
    ).toEqual([]);
  } finally {
    await rx.close();
  }
});

test('a failing endpoint ends in the dead letter; deadLetter.list finds it and replay delivers it', async () => {
  let status = 500;
  const rx = await receiver(() => status);
  try {
    const endpoint = await hookline.endpoints.create({ url: `${rx.url}/hook` });
    const a = await publishTo(endpoint.id);
    const b = await publishTo(endpoint.id);
    const deadA = await settled(a.deliveryId, 'dead', 2);
    await settled(b.deliveryId, 'dead', 2);
    expect(deadA.attempts.map((x) => x.status_code)).toEqual([500, 500]);

    const dead = await hookline.deadLetter.list({ endpoint_id: endpoint.id, limit: 1 }).toArray();
    expect(dead.map((d) => d.id)).toEqual([b.deliveryId, a.deliveryId]);
    const everywhere: string[] = [];
    for await (const d of hookline.deadLetter.list({ limit: 1 })) everywhere.push(d.id);
    expect(everywhere).toEqual(expect.arrayContaining([a.deliveryId, b.deliveryId]));

    status = 204;
    expect(await hookline.deadLetter.replay({ ids: [a.deliveryId] })).toEqual({ replayed: 1 });
    await settled(a.deliveryId, 'delivered', 3);
    expect(await hookline.deadLetter.replay({ endpoint_id: endpoint.id })).toEqual({ replayed: 1 });
    await settled(b.deliveryId, 'delivered', 3);
    expect(await hookline.deadLetter.list({ endpoint_id: endpoint.id }).toArray()).toEqual([]);
    expect(await hookline.deadLetter.replay({ endpoint_id: endpoint.id })).toEqual({ replayed: 0 });
  } finally {
    await rx.close();
  }
});

test('endpoints.sendTest delivers a signed test event without Event-Id', async () => {
  const rx = await receiver();
  try {
    const endpoint = await hookline.endpoints.create({ url: `${rx.url}/hook` });
    const sent = await hookline.endpoints.sendTest(endpoint.id, {
      name: 'ping',
      data: { hello: 'world' },
    });
    expect(sent).toEqual({ id: expect.stringMatching(/^evt_/) as string, deliveries: 1 });
    await waitFor(() => rx.received.length === 1, { message: 'the test delivery' });
    const [request] = rx.received;
    expect(request!.headers['event-id']).toBeUndefined();
    expect(verify(request!.body, request!.headers, endpoint.secret)).toMatchObject({
      name: 'ping',
      data: { hello: 'world' },
    });
  } finally {
    await rx.close();
  }
});

test('endpoints.recover re-enqueues what failed since a time', async () => {
  let status = 500;
  const rx = await receiver(() => status);
  try {
    const since = new Date(Date.now() - 1_000);
    const endpoint = await hookline.endpoints.create({ url: `${rx.url}/hook` });
    const { deliveryId } = await publishTo(endpoint.id);
    await settled(deliveryId, 'dead', 2);
    status = 204;
    expect(await hookline.endpoints.recover(endpoint.id, { since })).toEqual({ recovered: 1 });
    await settled(deliveryId, 'delivered', 3);
  } finally {
    await rx.close();
  }
});

test("deadLetter.list and replay by tenant_id take that tenant's dead deliveries only", async () => {
  let status = 500;
  const rx = await receiver(() => status);
  try {
    // One endpoint per tenant; each event reaches its own tenant's only, and dies there.
    const deadFor = async (tenant_id: string) => {
      await hookline.endpoints.create({ url: `${rx.url}/${tenant_id}`, tenant_id });
      const { id } = await hookline.events.publish({ name: 'order.filled', data: {}, tenant_id });
      const [delivery] = (await hookline.events.get(id)).deliveries;
      return (await settled(delivery!.id, 'dead', 2)).id;
    };
    const acmeDead = await deadFor('dlq-acme');
    const globexDead = await deadFor('dlq-globex');

    const listed = await hookline.deadLetter.list({ tenant_id: 'dlq-acme' }).toArray();
    expect(listed.map((d) => d.id)).toEqual([acmeDead]);
    expect((await hookline.tenants.get('dlq-acme')).dead_letter).toBe(1);

    status = 204;
    expect(await hookline.deadLetter.replay({ tenant_id: 'dlq-acme' })).toEqual({ replayed: 1 });
    await settled(acmeDead, 'delivered', 3);
    expect((await hookline.deliveries.get(globexDead)).status).toBe('dead');
    expect(
      (await hookline.deadLetter.list({ tenant_id: 'dlq-globex' }).toArray()).map((d) => d.id),
    ).toEqual([globexDead]);
  } finally {
    await rx.close();
  }
});
