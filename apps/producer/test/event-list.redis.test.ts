import type { WebhookEvent } from '@hookline/webhooks';
import { endpointBody, expectError, startApp, type Harness } from './harness';

// GET /v1/events: newest first, by name, time and resource, cursor-paginated, within the retention.

let h: Harness;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Yesterday's midnight (UTC): the log keeps a day at a time, and keeps the last 30 days. */
const START = Math.floor(Date.now() / DAY) * DAY - DAY;
let clock = START;

beforeAll(async () => {
  h = await startApp('event-list', { now: () => clock });
  const endpoint = await h.api.post('/v1/endpoints', endpointBody()).expect(201);
  // Ten events an hour apart, alternating two names (order.created at even hours), about three
  // orders in turn (ord_0 at hours 0, 3, 6, 9).
  for (let i = 0; i < 10; i++) {
    clock = START + i * HOUR;
    const name = i % 2 === 0 ? 'order.created' : 'invoice.paid';
    const resource = { resource_type: 'order', id: `ord_${i % 3}` };
    await h.api.post('/v1/events', { name, resource, data: { n: i } }).expect(202);
  }
  // A test send is not a published event: it is not listed.
  clock = START + 10 * HOUR;
  await h.api
    .post(`/v1/endpoints/${(endpoint.body as { id: string }).id}/test`, { name: 'ping' })
    .expect(202);
  await h.logged();
});
afterAll(() => h.close());

type List = { data: WebhookEvent[]; next_cursor: string | null };
const list = async (query: string) =>
  (await h.api.get(`/v1/events${query}`).expect(200)).body as List;
const numbers = (page: List) => page.data.map((e) => (e.data as { n: number }).n);

async function all(query: string): Promise<number[]> {
  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const page: List = await list(
      `${query}${query ? '&' : '?'}limit=3${cursor ? `&cursor=${cursor}` : ''}`,
    );
    seen.push(...numbers(page));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return seen;
}

test('lists every published event newest first, with the body receivers get', async () => {
  const page = await list('');
  expect(numbers(page)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  expect(page.next_cursor).toBeNull();
  expect(page.data[0]).toEqual({
    id: expect.stringMatching(/^evt_/) as string,
    name: 'invoice.paid',
    resource: { resource_type: 'order', id: 'ord_0' },
    data: { n: 9 },
    tenant_id: null,
    trace_id: null,
    deliveries: [
      {
        id: expect.stringMatching(/^whd_/) as string,
        endpoint_id: expect.stringMatching(/^ep_/) as string,
        status: 'pending',
        attempts: 0,
      },
    ],
    created_at: new Date(START + 9 * HOUR).toISOString(),
  });
});

test('pages with next_cursor until it is null, each event once', async () => {
  expect(await all('')).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
});

test('filters by exact name', async () => {
  expect(await all('?name=order.created')).toEqual([8, 6, 4, 2, 0]);
  expect(await all('?name=order')).toEqual([]);
});

test('filters by a name prefix ending in .*, on a dot boundary', async () => {
  expect(await all('?name=order.*')).toEqual([8, 6, 4, 2, 0]);
  expect(await all('?name=invoice.*')).toEqual([9, 7, 5, 3, 1]);
  expect(await all('?name=order.created.*')).toEqual([]);
  expect(await all('?name=ord.*')).toEqual([]);
});

test('filters by resource_id', async () => {
  expect(await all('?resource_id=ord_0')).toEqual([9, 6, 3, 0]);
  expect(await all('?resource_id=ord_1&name=order.created')).toEqual([4]);
  expect(await all('?resource_id=ord_9')).toEqual([]);
});

test('after is inclusive, before exclusive, and both combine with the name and the cursor', async () => {
  const after = new Date(START + 3 * HOUR).toISOString();
  const before = new Date(START + 8 * HOUR).toISOString();
  expect(await all(`?after=${after}`)).toEqual([9, 8, 7, 6, 5, 4, 3]);
  expect(await all(`?before=${before}`)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  expect(await all(`?after=${after}&before=${before}&name=invoice.paid`)).toEqual([7, 5, 3]);
});

test('since is inclusive and until exclusive, as after and before; given both, the narrower holds', async () => {
  const at = (hours: number) => new Date(START + hours * HOUR).toISOString();
  expect(await all(`?since=${at(3)}`)).toEqual([9, 8, 7, 6, 5, 4, 3]);
  expect(await all(`?until=${at(8)}`)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  expect(await all(`?since=${at(3)}&until=${at(8)}&name=invoice.*`)).toEqual([7, 5, 3]);
  expect(await all(`?since=${at(3)}&after=${at(5)}&until=${at(8)}&before=${at(7)}`)).toEqual([
    6, 5,
  ]);
});

test('a day of events wholly past the retention leaves the list once its deliveries settle, or a week later', async () => {
  const retention = h.config.retentionMs;
  // The log keeps whole days: a day only partly past the retention is kept, all of it.
  await h.context.log.maintain(START + retention + 4.5 * HOUR, retention);
  expect(await all('')).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  // The whole day past it: its deliveries never went (no dispatcher here), so it is kept for
  // them, a week at most; after that, what is still unsettled was lost, and the day goes.
  await h.context.log.maintain(START + DAY + retention, retention);
  expect(await all('')).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  await h.context.log.maintain(START + DAY + retention + 7 * DAY, retention);
  expect(await all('')).toEqual([]);
});

test.each([['zzz'], ['%00%ff'], ['evt_'], ['whd_01JH0000000000000000000000']])(
  'a cursor Hookline did not hand out (%s) is 422 on cursor',
  async (cursor) => {
    const res = await h.api.get(`/v1/events?cursor=${cursor}`);
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    expect((res.body as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe(
      'cursor',
    );
  },
);

test.each([['/v1/endpoints'], ['/v1/dead-letter']])(
  '%s refuses a cursor it did not hand out',
  async (route) => {
    const res = await h.api.get(`${route}?cursor=zzz`);
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
  },
);

test('bad filters are 422 naming the field', async () => {
  for (const [query, path] of [
    ['?after=yesterday', 'after'],
    ['?before=1', 'before'],
    ['?name=a%20b', 'name'],
    ['?name=order*', 'name'],
    ['?since=yesterday', 'since'],
    ['?until=1', 'until'],
    ['?resource_id=', 'resource_id'],
    ['?limit=0', 'limit'],
    ['?other=1', 'other'],
  ] as const) {
    const res = await h.api.get(`/v1/events${query}`);
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    expect(
      (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
    ).toContain(path);
  }
});
