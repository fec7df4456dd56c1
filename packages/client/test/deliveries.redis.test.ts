import { verify } from '@hookline/webhooks';
import { waitFor } from '@hookline/core/testing';
import type { Delivery, DeliveryListParams, Hookline } from '../src';
import { Harness, momentBetween, receiver } from './harness';

// Deliveries and the dead letter through the client, with a real dispatcher delivering to a real
// receiver (retry schedule: one retry after 20 ms). Lists, searches, counts and replays read the
// log: `h.logged()` first, so that it holds every change the test waited for.

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
    await h.logged();

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
    await h.logged();

    const dead = await hookline.deadLetter.list({ endpoint_id: endpoint.id, limit: 1 }).toArray();
    expect(dead.map((d) => d.id)).toEqual([b.deliveryId, a.deliveryId]);
    const everywhere: string[] = [];
    for await (const d of hookline.deadLetter.list({ limit: 1 })) everywhere.push(d.id);
    expect(everywhere).toEqual(expect.arrayContaining([a.deliveryId, b.deliveryId]));

    status = 204;
    expect(await hookline.deadLetter.replay({ ids: [a.deliveryId] })).toEqual({
      replayed: 1,
      dry_run: false,
    });
    await settled(a.deliveryId, 'delivered', 3);
    await h.logged();
    expect(await hookline.deadLetter.replay({ endpoint_id: endpoint.id })).toEqual({
      replayed: 1,
      dry_run: false,
    });
    await settled(b.deliveryId, 'delivered', 3);
    await h.logged();
    expect(await hookline.deadLetter.list({ endpoint_id: endpoint.id }).toArray()).toEqual([]);
    expect(await hookline.deadLetter.replay({ endpoint_id: endpoint.id })).toEqual({
      replayed: 0,
      dry_run: false,
    });
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
    await h.logged();
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
    await h.logged();

    const listed = await hookline.deadLetter.list({ tenant_id: 'dlq-acme' }).toArray();
    expect(listed.map((d) => d.id)).toEqual([acmeDead]);
    expect((await hookline.tenants.get('dlq-acme')).dead_letter).toBe(1);

    status = 204;
    expect(await hookline.deadLetter.replay({ tenant_id: 'dlq-acme' })).toEqual({
      replayed: 1,
      dry_run: false,
    });
    await settled(acmeDead, 'delivered', 3);
    expect((await hookline.deliveries.get(globexDead)).status).toBe('dead');
    expect(
      (await hookline.deadLetter.list({ tenant_id: 'dlq-globex' }).toArray()).map((d) => d.id),
    ).toEqual([globexDead]);
  } finally {
    await rx.close();
  }
});

describe('deliveries.list searches every delivery by its filters, all of them ANDed', () => {
  const tenant_id = 'search-acme';
  const sorted = (list: string[]) => [...list].sort();
  const ids = (deliveries: Delivery[]) => sorted(deliveries.map((d) => d.id));
  const search = (query: DeliveryListParams = {}) =>
    hookline.deliveries.list({ tenant_id, ...query }).toArray();
  let ok: Awaited<ReturnType<typeof receiver>>;
  let failing: Awaited<ReturnType<typeof receiver>>;
  let okEndpoint: string;
  let failingEndpoint: string;
  let middle: Date;
  // Each event's two deliveries: to the endpoint answering 204, and to the one answering 503.
  let of: Record<'paid' | 'voided' | 'created', { ok: string; failing: string }>;

  beforeAll(async () => {
    ok = await receiver(() => 204);
    failing = await receiver(() => 503);
    okEndpoint = (await hookline.endpoints.create({ url: `${ok.url}/hook`, tenant_id })).id;
    failingEndpoint = (await hookline.endpoints.create({ url: `${failing.url}/hook`, tenant_id }))
      .id;
    await hookline.endpoints.create({ url: `${ok.url}/other`, tenant_id: 'search-globex' });
    const publish = (name: string, resource: string, tenant = tenant_id) =>
      hookline.events.publish({
        name,
        data: {},
        tenant_id: tenant,
        resource: { id: resource, resource_type: name.split('.')[0]! },
      });
    const publishToBoth = async (name: string, resource: string) => {
      const { id } = await publish(name, resource);
      const { deliveries } = await hookline.events.get(id);
      const to = (endpoint: string) => deliveries.find((d) => d.endpoint_id === endpoint)!.id;
      return { ok: to(okEndpoint), failing: to(failingEndpoint) };
    };
    const paid = await publishToBoth('invoice.paid', 'inv_s1');
    const voided = await publishToBoth('invoice.voided', 'inv_s2');
    middle = await momentBetween();
    of = { paid, voided, created: await publishToBoth('customer.created', 'cus_s1') };
    const { id: globex } = await publish('invoice.paid', 'inv_s1', 'search-globex');
    await settled((await hookline.events.get(globex)).deliveries[0]!.id, 'delivered');
    for (const event of Object.values(of)) {
      await settled(event.ok, 'delivered');
      await settled(event.failing, 'dead', 2);
    }
    await h.logged();
  });
  afterAll(async () => {
    await ok.close();
    await failing.close();
  });

  test("by tenant: that tenant's deliveries only, newest first, page by page", async () => {
    const all = await search({ limit: 4 });
    expect(ids(all)).toEqual(sorted(Object.values(of).flatMap((e) => [e.ok, e.failing])));
    const created = all.map((d) => Date.parse(d.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const first = await hookline.deliveries.list({ tenant_id, limit: 4 }).first();
    expect(first.data).toHaveLength(4);
    expect(first.next_cursor).toEqual(expect.any(String) as string);
    expect(await hookline.deliveries.list({ tenant_id: 'search-globex' }).toArray()).toHaveLength(
      1,
    );
  });

  test('by endpoint, newest first; by status; by the last attempt’s HTTP status', async () => {
    expect((await search({ endpoint_id: okEndpoint })).map((d) => d.id)).toEqual([
      of.created.ok,
      of.voided.ok,
      of.paid.ok,
    ]);
    const dead = await search({ status: 'dead' });
    expect(ids(dead)).toEqual(sorted([of.paid.failing, of.voided.failing, of.created.failing]));
    expect(dead.every((d) => d.endpoint_id === failingEndpoint)).toBe(true);
    expect(ids(await search({ http_status: 503 }))).toEqual(ids(dead));
    expect(ids(await search({ http_status: 204 }))).toEqual(
      sorted([of.paid.ok, of.voided.ok, of.created.ok]),
    );
    expect(await search({ http_status: 500 })).toEqual([]);
  });

  test('by event name, exact or a prefix, and by the resource the event is about', async () => {
    expect(ids(await search({ name: 'invoice.paid' }))).toEqual(
      sorted([of.paid.ok, of.paid.failing]),
    );
    expect(ids(await search({ name: 'invoice.*' }))).toEqual(
      sorted([of.paid.ok, of.paid.failing, of.voided.ok, of.voided.failing]),
    );
    expect(ids(await search({ resource_id: 'inv_s2' }))).toEqual(
      sorted([of.voided.ok, of.voided.failing]),
    );
    // Without the tenant, the other tenant's delivery of the same resource is found too.
    expect(await hookline.deliveries.list({ resource_id: 'inv_s1' }).toArray()).toHaveLength(3);
  });

  test('by creation time: from since, before until; a Date or an ISO string', async () => {
    expect(ids(await search({ since: middle }))).toEqual(
      sorted([of.created.ok, of.created.failing]),
    );
    expect(ids(await search({ until: middle.toISOString() }))).toEqual(
      sorted([of.paid.ok, of.paid.failing, of.voided.ok, of.voided.failing]),
    );
    expect(await search({ since: middle, until: middle })).toEqual([]);
  });

  test('the filters combine: delivered invoices of one endpoint', async () => {
    expect(
      (await search({ name: 'invoice.*', status: 'delivered', endpoint_id: okEndpoint })).map(
        (d) => d.id,
      ),
    ).toEqual([of.voided.ok, of.paid.ok]);
    expect(await search({ name: 'customer.*', status: 'delivered', http_status: 503 })).toEqual([]);
  });

  test("a tenant key searches its own tenant's only, and naming another is forbidden", async () => {
    const { key } = await hookline.tenants.createKey(tenant_id);
    const portal = h.client({ apiKey: key });
    expect(ids(await portal.deliveries.list({ resource_id: 'inv_s1' }).toArray())).toEqual(
      sorted([of.paid.ok, of.paid.failing]),
    );
    await expect(
      portal.deliveries.list({ tenant_id: 'search-globex' }).toArray(),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  test('a filter the API refuses is a 422 naming it', async () => {
    await expect(search({ name: 'has spaces' })).rejects.toMatchObject({
      status: 422,
      code: 'validation_failed',
      details: [{ path: 'name', message: expect.any(String) as string }],
    });
    await expect(search({ since: 'yesterday' })).rejects.toMatchObject({
      status: 422,
      details: [{ path: 'since', message: expect.any(String) as string }],
    });
  });
});

test('deadLetter.replay with since/until takes the dead letter of that time only; dry_run counts it and replays nothing', async () => {
  let status = 500;
  const rx = await receiver(() => status);
  try {
    const endpoint = await hookline.endpoints.create({ url: `${rx.url}/hook` });
    const before = await publishTo(endpoint.id);
    await settled(before.deliveryId, 'dead', 2);
    const middle = await momentBetween();
    const after = await publishTo(endpoint.id);
    await settled(after.deliveryId, 'dead', 2);
    await h.logged();
    status = 204;

    const endpoint_id = endpoint.id;
    expect(await hookline.deadLetter.replay({ endpoint_id, dry_run: true })).toEqual({
      replayed: 2,
      dry_run: true,
    });
    expect(await hookline.deadLetter.replay({ endpoint_id, since: middle, dry_run: true })).toEqual(
      { replayed: 1, dry_run: true },
    );
    // The dry run replayed nothing: both are still dead, in the dead letter, and were not sent again.
    await h.logged();
    expect((await hookline.deadLetter.list({ endpoint_id }).toArray()).map((d) => d.id)).toEqual([
      after.deliveryId,
      before.deliveryId,
    ]);
    expect(rx.received).toHaveLength(4);

    expect(await hookline.deadLetter.replay({ endpoint_id, until: middle })).toEqual({
      replayed: 1,
      dry_run: false,
    });
    await settled(before.deliveryId, 'delivered', 3);
    expect((await hookline.deliveries.get(after.deliveryId)).status).toBe('dead');
    await h.logged();
    expect(await hookline.deadLetter.replay({ endpoint_id, since: middle.toISOString() })).toEqual({
      replayed: 1,
      dry_run: false,
    });
    await settled(after.deliveryId, 'delivered', 3);
  } finally {
    await rx.close();
  }
});
