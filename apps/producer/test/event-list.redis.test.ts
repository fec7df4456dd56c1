import type { WebhookEvent } from '@hookline/webhooks';
import { endpointBody, expectError, startApp, type Harness } from './harness';

// GET /v1/events: newest first, by name and time, cursor-paginated, within the retention.

let h: Harness;
const START = Date.parse('2026-03-01T00:00:00.000Z');
const HOUR = 3_600_000;
let clock = START;

beforeAll(async () => {
  h = await startApp('event-list', { now: () => clock });
  const endpoint = await h.api.post('/v1/endpoints', endpointBody()).expect(201);
  // Ten events an hour apart, alternating two names: order.created at even hours.
  for (let i = 0; i < 10; i++) {
    clock = START + i * HOUR;
    const name = i % 2 === 0 ? 'order.created' : 'order.paid';
    await h.api.post('/v1/events', { name, data: { n: i } }).expect(202);
  }
  // A test send is not a published event: it is not listed.
  clock = START + 10 * HOUR;
  await h.api
    .post(`/v1/endpoints/${(endpoint.body as { id: string }).id}/test`, { name: 'ping' })
    .expect(202);
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
    name: 'order.paid',
    data: { n: 9 },
    tenant_id: null,
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

test('after is inclusive, before exclusive, and both combine with the name and the cursor', async () => {
  const after = new Date(START + 3 * HOUR).toISOString();
  const before = new Date(START + 8 * HOUR).toISOString();
  expect(await all(`?after=${after}`)).toEqual([9, 8, 7, 6, 5, 4, 3]);
  expect(await all(`?before=${before}`)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  expect(await all(`?after=${after}&before=${before}&name=order.paid`)).toEqual([7, 5, 3]);
});

test('events older than the retention are not listed', async () => {
  const saved = clock;
  clock = START + 7 * 24 * HOUR + 4.5 * HOUR; // the retention is 7 days
  try {
    expect(numbers(await list(''))).toEqual([9, 8, 7, 6, 5]);
  } finally {
    clock = saved;
  }
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
