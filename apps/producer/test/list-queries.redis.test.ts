import { type Endpoint } from '@hookline/api';
import { startApp, type Harness } from './harness';
import { expectRefusedAt } from './refusals';

let h: Harness;
let endpoint: Endpoint;

beforeAll(async () => {
  h = await startApp('list-queries');
  endpoint = (await h.api.post('/v1/endpoints', { url: 'https://example.com/hooks' }).expect(201))
    .body as Endpoint;
});
afterAll(() => h.close());

const lists = () => [
  '/v1/endpoints',
  '/v1/events',
  '/v1/deliveries',
  `/v1/endpoints/${endpoint.id}/deliveries`,
  '/v1/dead-letter',
  '/v1/tenants',
];

test.each(['1e2', '0x10', '%205', '5%20', '%2B5', '5.0'])(
  'limit=%s is 422 at limit on every list',
  async (limit) => {
    for (const list of lists()) expectRefusedAt(await h.api.get(`${list}?limit=${limit}`), 'limit');
  },
);

test('a plain decimal limit is taken on every list', async () => {
  for (const list of lists()) await h.api.get(`${list}?limit=7`).expect(200);
});

test.each(['acme', 'zzz', 'list-queries-b'])(
  'GET /v1/tenants?cursor=%s, a cursor it never handed out, is 422 at cursor',
  async (cursor) => {
    expectRefusedAt(await h.api.get(`/v1/tenants?cursor=${cursor}`), 'cursor');
  },
);

test('GET /v1/tenants pages with the cursors it hands out', async () => {
  const tenants = ['lq-a', 'lq-b.eu', 'lq-c:prod', 'lq-d_1'];
  for (const tenant_id of tenants) {
    await h.api.post('/v1/endpoints', { url: 'https://example.com/hooks', tenant_id }).expect(201);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page = (await h.api.get(`/v1/tenants?limit=1${query}`).expect(200)).body as {
      data: { id: string }[];
      next_cursor: string | null;
    };
    seen.push(...page.data.map((t) => t.id));
    cursor = page.next_cursor;
  } while (cursor !== null);
  expect(seen).toEqual(tenants);
});
