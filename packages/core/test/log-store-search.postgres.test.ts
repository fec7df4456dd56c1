import type { PageResult } from '@hookline/api';
import { newId } from '../src/ids';
import type { Change, EventAccepted } from '../src/log/changes';
import type { DeliverySearch } from '../src/log/log-store';
import {
  anEndpoint,
  aTenant,
  deliveryChange,
  eventChange,
  type EventOptions,
  logStoreOfFile,
} from './log-store-fixtures';

// The log store's reads against a real Postgres (a database of this file's own). Each test
// searches a tenant or endpoint of its own, so the tests of the file do not see each other's rows.

const log = logStoreOfFile('log_search');

const MINUTE = 60_000;
/** A fixed hour of today, so that every event of the file is in today's partitions. */
const T0 = Date.now() - 60 * MINUTE;

/** Writes an event per option (a minute apart, oldest first); returns them. */
async function publish(options: EventOptions[]): Promise<EventAccepted[]> {
  const events = options.map((o, i) => eventChange({ at: T0 + i * MINUTE, ...o }));
  await log.store.write(events);
  return events;
}

/** Every item of a search, page by page, checking each page is at most `limit` long. */
async function allPages<T>(
  limit: number,
  page: (cursor: string | undefined) => Promise<PageResult<T>>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const result = await page(cursor);
    expect(result.data.length).toBeLessThanOrEqual(limit);
    pages.push(result.data);
    cursor = result.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return pages;
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe('listEvents', () => {
  test('lists newest first and leaves test sends out', async () => {
    const tenant = aTenant();
    const [a, b, , d] = await publish([
      { tenant_id: tenant },
      { tenant_id: tenant },
      { tenant_id: tenant, test: true },
      { tenant_id: tenant },
    ]);
    const page = await log.store.listEvents({ tenant_id: tenant, limit: 10 });
    expect(ids(page.data)).toEqual([d!.id, b!.id, a!.id]);
    expect(page.next_cursor).toBeNull();
  });

  test('pages with strict cursors: every event once, none skipped, even within one ms', async () => {
    const tenant = aTenant();
    const events = Array.from({ length: 7 }, () => eventChange({ tenant_id: tenant, at: T0 }));
    await log.store.write(events);
    const pages = await allPages(3, (cursor) =>
      log.store.listEvents({ tenant_id: tenant, limit: 3, cursor }),
    );
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual(
      events
        .map((e) => e.id)
        .sort()
        .reverse(),
    );
  });

  test('a last page that is exactly full has no next cursor', async () => {
    const tenant = aTenant();
    await publish([{ tenant_id: tenant }, { tenant_id: tenant }]);
    const page = await log.store.listEvents({ tenant_id: tenant, limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.next_cursor).toBeNull();
  });

  test('filters by tenant, and by no tenant with null', async () => {
    const tenant = aTenant();
    const resource = { id: newId('evt'), resource_type: 'order' };
    const [mine, untenanted] = await publish([
      { tenant_id: tenant, resource },
      { tenant_id: null, resource },
    ]);
    expect(ids((await log.store.listEvents({ tenant_id: tenant, limit: 10 })).data)).toEqual([
      mine!.id,
    ]);
    expect(
      ids(
        (await log.store.listEvents({ tenant_id: null, resource_id: resource.id, limit: 10 })).data,
      ),
    ).toEqual([untenanted!.id]);
    expect(ids((await log.store.listEvents({ resource_id: resource.id, limit: 10 })).data)).toEqual(
      [untenanted!.id, mine!.id],
    );
  });

  test('filters by exact name and by a prefix', async () => {
    const tenant = aTenant();
    const [filled, paid, x] = await publish([
      { tenant_id: tenant, name: 'order.filled' },
      { tenant_id: tenant, name: 'order.paid' },
      { tenant_id: tenant, name: 'order_x' },
      { tenant_id: tenant, name: 'orders' },
    ]);
    const named = async (name: string) =>
      ids((await log.store.listEvents({ tenant_id: tenant, name, limit: 10 })).data);
    expect(await named('order.filled')).toEqual([filled!.id]);
    expect(await named('order.*')).toEqual([paid!.id, filled!.id]);
    expect(await named('order_*')).toEqual([x!.id]);
    expect(await named('order.')).toEqual([]);
  });

  test('filters by resource and by creation time, since inclusive and until exclusive', async () => {
    const tenant = aTenant();
    const resource = { id: 'ord_9', resource_type: 'order' };
    const [first, second, third] = await publish([
      { tenant_id: tenant, resource },
      { tenant_id: tenant, resource },
      { tenant_id: tenant },
    ]);
    expect(
      ids(
        (await log.store.listEvents({ tenant_id: tenant, resource_id: 'ord_9', limit: 10 })).data,
      ),
    ).toEqual([second!.id, first!.id]);
    const window = { since: second!.created_at, until: third!.created_at };
    expect(
      ids((await log.store.listEvents({ tenant_id: tenant, ...window, limit: 10 })).data),
    ).toEqual([second!.id]);
  });
});

describe('getEvent', () => {
  test('answers undefined for an unknown or malformed id', async () => {
    expect(await log.store.getEvent(newId('evt'))).toBeUndefined();
    expect(await log.store.getEvent('evt_nope')).toBeUndefined();
  });
});

/** An event of the test's tenant to `endpoints`, and changes of its deliveries. */
function history(
  tenant: string,
  build: (event: EventAccepted) => Change[],
  options: EventOptions = {},
): Change[] {
  const event = eventChange({ tenant_id: tenant, ...options });
  return [event, ...build(event)];
}

describe('deliveries', () => {
  test('getDeliveries answers in the order asked, with every attempt, and leaves unknown ids out', async () => {
    const [a, b] = [anEndpoint(), anEndpoint()];
    const event = eventChange({ endpoints: [a, b] });
    const retry = T0 + 10 * MINUTE;
    await log.store.write([
      event,
      deliveryChange(event, a, {
        status: 'failed',
        attempts: 1,
        attempt: { status_code: 502, error: null },
        next_attempt_at: retry,
      }),
    ]);
    const [da, db] = event.deliveries.map((d) => d.id) as [string, string];
    const found = await log.store.getDeliveries([db, newId('whd'), da, 'whd_bad']);
    expect(ids(found)).toEqual([db, da]);
    expect(found[1]).toMatchObject({
      status: 'failed',
      next_attempt_at: new Date(retry).toISOString(),
    });
    expect(found[1]!.attempts).toHaveLength(1);
    expect(await log.store.getDeliveries([])).toEqual([]);
  });

  test('tenantOfDelivery answers the tenant, null for none, undefined for a delivery not logged', async () => {
    const endpoint = anEndpoint();
    const tenant = aTenant();
    const [mine, untenanted] = await publish([
      { tenant_id: tenant, endpoints: [endpoint] },
      { endpoints: [endpoint] },
    ]);
    expect(await log.store.tenantOfDelivery(mine!.deliveries[0]!.id)).toBe(tenant);
    expect(await log.store.tenantOfDelivery(untenanted!.deliveries[0]!.id)).toBeNull();
    expect(await log.store.tenantOfDelivery(newId('whd'))).toBeUndefined();
  });

  test('listDeliveries filters by each field, and count counts what it lists', async () => {
    const tenant = aTenant();
    const [a, b] = [anEndpoint(), anEndpoint()];
    const order = { id: `ord_${tenant}`, resource_type: 'order' };
    const changes = [
      ...history(
        tenant,
        (e) => [
          deliveryChange(e, a, {
            status: 'delivered',
            attempts: 1,
            attempt: { status_code: 200, error: null },
          }),
        ],
        { name: 'order.filled', endpoints: [a], resource: order, at: T0 },
      ),
      ...history(
        tenant,
        (e) => [
          deliveryChange(e, b, {
            status: 'failed',
            attempts: 1,
            attempt: { status_code: 500, error: null },
            next_attempt_at: T0 + MINUTE,
          }),
        ],
        { name: 'order.paid', endpoints: [b], at: T0 + MINUTE },
      ),
      ...history(
        tenant,
        (e) => [
          deliveryChange(e, a, {
            status: 'dead',
            attempts: 2,
            attempt: { status_code: 500, error: null },
            dead_letter: true,
          }),
        ],
        { name: 'invoice.paid', endpoints: [a], at: T0 + 2 * MINUTE },
      ),
      ...history(
        tenant,
        (e) => [
          deliveryChange(e, b, {
            status: 'dead',
            attempts: 1,
            attempt: { status_code: 404, error: null },
          }),
        ],
        { name: 'invoice.sent', endpoints: [b], at: T0 + 3 * MINUTE },
      ),
      ...history(tenant, () => [], {
        name: 'order.filled',
        endpoints: [a, b],
        at: T0 + 4 * MINUTE,
      }),
    ];
    await log.store.write(changes);
    const events = changes.filter((c): c is EventAccepted => c.kind === 'event');
    const d = (event: number, endpoint = 0) => events[event]!.deliveries[endpoint]!.id;
    // The two deliveries of one event share its creation time: newest first, they come in the
    // order of their ids (byte order, descending), which their random part decides.
    const both = (event: number) => [d(event, 0), d(event, 1)].sort().reverse();

    const cases: [string, Omit<DeliverySearch, 'limit' | 'cursor'>, string[]][] = [
      ['tenant', {}, [...both(4), d(3), d(2), d(1), d(0)]],
      ['endpoint', { endpoint_id: a }, [d(4, 0), d(2), d(0)]],
      ['event', { event_id: events[4]!.id }, both(4)],
      ['one status', { status: 'dead' }, [d(3), d(2)]],
      ['statuses', { status: ['failed', 'delivered'] }, [d(1), d(0)]],
      ['in the dead letter', { dead_letter: true }, [d(2)]],
      ['out of the dead letter', { dead_letter: false, status: 'dead' }, [d(3)]],
      ['exact name', { name: 'order.filled' }, [...both(4), d(0)]],
      ['name prefix', { name: 'invoice.*' }, [d(3), d(2)]],
      ['resource', { resource_id: order.id }, [d(0)]],
      ['http status', { http_status: 500 }, [d(2), d(1)]],
      ['since', { since: T0 + 3 * MINUTE }, [...both(4), d(3)]],
      ['until', { until: T0 + MINUTE }, [d(0)]],
      ['several', { endpoint_id: b, status: 'dead', name: 'invoice.*', http_status: 404 }, [d(3)]],
    ];
    for (const [label, filters, expected] of cases) {
      const query = { tenant_id: tenant, ...filters };
      expect([label, ids((await log.store.listDeliveries({ ...query, limit: 50 })).data)]).toEqual([
        label,
        expected,
      ]);
      expect([label, await log.store.count(query)]).toEqual([label, expected.length]);
    }
    expect(await log.store.count({ tenant_id: aTenant() })).toBe(0);
  });

  test('listDeliveries pages with strict cursors, newest first', async () => {
    const endpoint = anEndpoint();
    const events = Array.from({ length: 5 }, (_, i) =>
      eventChange({ at: T0 + (i % 2) * MINUTE, endpoints: [endpoint] }),
    );
    await log.store.write(events);
    const pages = await allPages(2, (cursor) =>
      log.store.listDeliveries({ endpoint_id: endpoint, limit: 2, cursor }),
    );
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const expected = events
      .map((e) => e.deliveries[0]!.id)
      .sort()
      .reverse();
    expect(pages.flat().map((x) => x.id)).toEqual(expected);
  });
});

describe('deadLetterForReplay', () => {
  test('finds the dead letter oldest first, with the event body and traceparent, in pages after an id', async () => {
    const tenant = aTenant();
    const [a, b] = [anEndpoint(), anEndpoint()];
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const changes = [0, 1, 2, 3].flatMap((i) =>
      history(
        tenant,
        (e) => [
          deliveryChange(e, i === 3 ? b : a, {
            status: 'dead',
            attempts: 3,
            attempt: { status_code: 500, error: null },
            dead_letter: i !== 2,
          }),
        ],
        { endpoints: [i === 3 ? b : a], at: T0 + i * MINUTE, traceparent },
      ),
    );
    await log.store.write(changes);
    const events = changes.filter((c): c is EventAccepted => c.kind === 'event');
    const dead = [0, 1, 3].map((i) => events[i]!.deliveries[0]!.id);

    const first = await log.store.deadLetterForReplay({ tenant_id: tenant }, 2);
    expect(ids(first)).toEqual(dead.slice(0, 2));
    expect(first[0]).toEqual({
      id: dead[0],
      event_id: events[0]!.id,
      endpoint_id: a,
      tenant_id: tenant,
      event_name: 'order.filled',
      resource_id: null,
      test: false,
      created_at: T0,
      attempts: 3,
      body: events[0]!.body,
      traceparent,
    });
    expect(
      ids(await log.store.deadLetterForReplay({ tenant_id: tenant, after: dead[1] }, 2)),
    ).toEqual([dead[2]]);
    expect(
      ids(await log.store.deadLetterForReplay({ tenant_id: tenant, endpoint_id: b }, 10)),
    ).toEqual([dead[2]]);
    expect(
      ids(
        await log.store.deadLetterForReplay({ tenant_id: tenant, ids: [dead[2]!, dead[0]!] }, 10),
      ),
    ).toEqual([dead[0], dead[2]]);
    const window = { since: T0 + MINUTE, until: T0 + 3 * MINUTE };
    expect(ids(await log.store.deadLetterForReplay({ tenant_id: tenant, ...window }, 10))).toEqual([
      dead[1],
    ]);
  });
});

describe('activity', () => {
  test('counts per bucket what settled delivered or dead and the attempts that failed, zeros included', async () => {
    const endpoint = anEndpoint();
    const bucketMs = 10 * MINUTE;
    const since = T0 - 30 * MINUTE;
    const event = (i: number) => eventChange({ at: T0 + i * 1_000, endpoints: [endpoint] });
    const [e1, e2, e3] = [event(1), event(2), event(3)];
    const retry = { next_attempt_at: T0 + 20 * MINUTE };
    await log.store.write([
      e1,
      e2,
      e3,
      deliveryChange(e1, endpoint, {
        status: 'failed',
        attempts: 1,
        attempt: { status_code: 500, error: null },
        ...retry,
        at: T0 + MINUTE,
      }),
      deliveryChange(e1, endpoint, {
        status: 'delivered',
        attempts: 2,
        attempt: { status_code: 200, error: null },
        at: T0 + 21 * MINUTE,
      }),
      deliveryChange(e2, endpoint, {
        status: 'failed',
        attempts: 1,
        attempt: { status_code: null, error: 'timeout' },
        ...retry,
        at: T0 + 2 * MINUTE,
      }),
      deliveryChange(e2, endpoint, {
        status: 'dead',
        attempts: 2,
        attempt: { status_code: 500, error: null },
        dead_letter: true,
        at: T0 + 22 * MINUTE,
      }),
      deliveryChange(e3, endpoint, {
        status: 'delivered',
        attempts: 1,
        attempt: { status_code: 200, error: null },
        at: T0 + 3 * MINUTE,
      }),
    ]);
    const buckets = await log.store.activity({
      endpoint_id: endpoint,
      since,
      until: since + 6 * bucketMs,
      bucketMs,
    });
    expect(buckets).toEqual([
      { at: since, delivered: 0, failed: 0, dead: 0 },
      { at: since + bucketMs, delivered: 0, failed: 0, dead: 0 },
      { at: since + 2 * bucketMs, delivered: 0, failed: 0, dead: 0 },
      { at: since + 3 * bucketMs, delivered: 1, failed: 2, dead: 0 },
      { at: since + 4 * bucketMs, delivered: 0, failed: 0, dead: 0 },
      { at: since + 5 * bucketMs, delivered: 1, failed: 0, dead: 1 },
    ]);
    expect(
      await log.store.activity({
        endpoint_id: anEndpoint(),
        since,
        until: since + bucketMs,
        bucketMs,
      }),
    ).toEqual([{ at: since, delivered: 0, failed: 0, dead: 0 }]);
  });

  test('filters by tenant', async () => {
    const tenant = aTenant();
    const endpoint = anEndpoint();
    const mine = eventChange({ tenant_id: tenant, at: T0, endpoints: [endpoint] });
    const other = eventChange({ tenant_id: aTenant(), at: T0, endpoints: [endpoint] });
    const delivered = {
      status: 'delivered',
      attempts: 1,
      attempt: { status_code: 200, error: null },
    } as const;
    await log.store.write([
      mine,
      other,
      deliveryChange(mine, endpoint, delivered),
      deliveryChange(other, endpoint, delivered),
    ]);
    const [bucket] = await log.store.activity({
      tenant_id: tenant,
      since: T0,
      until: T0 + MINUTE,
      bucketMs: MINUTE,
    });
    expect(bucket).toEqual({ at: T0, delivered: 1, failed: 0, dead: 0 });
  });
});
