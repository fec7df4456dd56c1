import type { DeliverySearch } from '../src/log/log-store';
import { withClient } from '../src/log/postgres/database';
import { deliveryPageQuery } from '../src/log/postgres/deliveries';
import { newId } from '../src/ids';
import { logStoreOfFile } from './log-store-fixtures';

// A filtered page of deliveries reads the page through an index, not the partition: proven on
// the plan Postgres picks for the store's own statement over 200,000 seeded deliveries of one
// day. The rows are made by one INSERT … SELECT, which takes seconds, not a minute of writes.
// The partitions of the next days are there too, empty (maintain made them): a scan of those
// costs nothing, so only the seeded day's partition is checked for a sequential scan.

const DAY = 86_400_000;
const ROWS = 200_000;
const DAY_START = Date.UTC(2035, 2, 3);
const SEEDED = 'deliveries_p20350303';
/** Real ids, 400 ms apart within the day: an id's time is what a cursor prunes by. */
const ids = Array.from({ length: ROWS }, (_, i) => newId('whd', DAY_START + i * 400));

const log = logStoreOfFile('log_indexes', { retentionMs: 10_000 * DAY });

beforeAll(async () => {
  // 500 endpoints, 50 tenants, four names, one delivery in 97 in the dead letter. The day's
  // partition is filled before it is attached, so that attaching builds its indexes in one sort
  // each instead of 200,000 insertions into each (seconds saved on a busy machine).
  await withClient(log.url, async (sql) => {
    await sql.query(
      `CREATE TABLE ${SEEDED} (LIKE deliveries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
    await sql.query(
      `INSERT INTO ${SEEDED} (id, created_at, event_id, endpoint_id, tenant_id, event_name,
         resource_id, test, status, attempts, next_attempt_at, updated_at, settled_at,
         dead_letter, last_attempt, last_status_code, last_error, version_ms, version_seq)
       SELECT id, $1::timestamptz + i * interval '400 ms', 'evt_' || i, 'ep_' || (i % 500),
              'tenant_' || (i % 50),
              (ARRAY['order.filled', 'order.paid', 'invoice.paid', 'user.created'])[i % 4 + 1],
              'res_' || (i % 20000), false,
              CASE WHEN i % 97 = 0 THEN 'dead' WHEN i % 10 = 0 THEN 'failed' ELSE 'delivered' END,
              1, NULL, $1::timestamptz + i * interval '400 ms', NULL, i % 97 = 0, 1,
              CASE WHEN i % 10 = 0 THEN 500 ELSE 200 END, NULL, 0, i
         FROM unnest($2::text[]) WITH ORDINALITY AS seed(id, i)`,
      [new Date(DAY_START - 400).toISOString(), ids],
    );
    await sql.query(
      `ALTER TABLE deliveries ATTACH PARTITION ${SEEDED}
         FOR VALUES FROM ('${new Date(DAY_START).toISOString()}') TO ('${new Date(DAY_START + DAY).toISOString()}')`,
    );
    await sql.query(`ANALYZE ${SEEDED}`);
  });
  // The other tables' partitions of the day, and the next days' (empty).
  await log.store.maintain(DAY_START, 10_000 * DAY);
}, 60_000);

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/** The plan Postgres runs the store's page statement with, and its execution time in ms. */
async function planOf(query: DeliverySearch): Promise<{ nodes: PlanNode[]; ms: number }> {
  const { text, values } = deliveryPageQuery(query);
  return withClient(log.url, async (sql) => {
    const { rows } = await sql.query<{
      'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }];
    }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
    const [result] = rows[0]!['QUERY PLAN'];
    return { nodes: nodesOf(result.Plan), ms: result['Execution Time'] };
  });
}

const scans = (nodes: PlanNode[]) =>
  nodes
    .filter((n) => n['Node Type'].includes('Scan'))
    .map((n) => `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name']}`);

test.each<[string, DeliverySearch, string]>([
  ['an endpoint', { endpoint_id: 'ep_7', limit: 50 }, 'deliveries_p20350303_endpoint_id_id_idx'],
  [
    'an endpoint, past a cursor',
    { endpoint_id: 'ep_7', limit: 50, cursor: ids[ROWS / 2] },
    'deliveries_p20350303_endpoint_id_id_idx',
  ],
  ['a tenant', { tenant_id: 'tenant_3', limit: 50 }, 'deliveries_p20350303_tenant_id_id_idx'],
  ['a resource', { resource_id: 'res_42', limit: 50 }, 'deliveries_p20350303_resource_id_id_idx'],
  ['an event', { event_id: 'evt_4242', limit: 50 }, 'deliveries_p20350303_event_id_idx'],
  ['the dead letter', { dead_letter: true, limit: 50 }, 'deliveries_p20350303_id_idx'],
  ['a status', { status: 'failed', limit: 50 }, 'deliveries_p20350303_status_id_idx'],
  [
    'an http status',
    { http_status: 500, limit: 50 },
    'deliveries_p20350303_last_status_code_id_idx',
  ],
  // A quarter of the rows match: reading the newest through the primary key finds a page soonest.
  ['a name prefix', { name: 'invoice.*', limit: 50 }, 'deliveries_p20350303_pkey'],
  ['everything', { limit: 50 }, 'deliveries_p20350303_pkey'],
  [
    'an endpoint and a status',
    { endpoint_id: 'ep_7', status: 'dead', limit: 50 },
    'deliveries_p20350303_endpoint_id_id_idx',
  ],
])(
  'a page of %s is read through an index, not a scan of the partition',
  async (_, query, index) => {
    const { nodes, ms } = await planOf(query);
    expect(scans(nodes)).not.toContain(`Seq Scan ${SEEDED}`);
    expect(nodes.map((n) => n['Index Name'])).toContain(index);
    expect(ms).toBeLessThan(50);
  },
);

test('a page of an endpoint takes a few ms', async () => {
  await log.store.listDeliveries({ endpoint_id: 'ep_8', limit: 50 });
  const started = performance.now();
  const page = await log.store.listDeliveries({ endpoint_id: 'ep_9', limit: 50 });
  const elapsed = performance.now() - started;
  expect(page.data).toHaveLength(50);
  expect(page.next_cursor).not.toBeNull();
  expect(elapsed).toBeLessThan(100);
});
