import type { ClientBase } from 'pg';
import { compareVersions, type Change, type DeliveryChanged, type EventAccepted } from '../changes';
import { iso } from './time';
import { isSettled } from '../../lifecycle';
import { insertRows, unnestOf, type Column } from './unnest';

// A batch of changes in a handful of multi-row statements (the caller runs them in one
// transaction). Each statement is idempotent and none depends on the order changes arrive in:
//
// - events are inserted, never updated (an event's change says all there is to say of it);
// - every delivery the batch touches is written once, from its newest change in the batch (an
//   event's change makes its deliveries pending; a delivery's own change is newer), and replaces
//   the row only when it is newer than what the row holds. One row per delivery per batch also
//   because Postgres refuses to update one row twice in a statement ("ON CONFLICT DO UPDATE
//   command cannot affect row a second time"), and because every version of a row is a new tuple
//   in each of the table's indexes: the fewer versions a delivery leaves, the less Postgres writes;
// - every attempt is inserted, and the row's last attempt (its status code and error, what
//   `http_status` searches) is the highest-numbered attempt written, whichever change brought it.
//   The delivery's row carries the batch's highest attempt with its newest change; a row that
//   change did not update (an older change, after a newer one another batch wrote) gets it by
//   an UPDATE of its own. Taking it from the newest change alone would leave a different row when
//   a replay (no attempt) is written before the attempt that preceded it.

function versionOf(version: string): [ms: string, seq: string] {
  const [ms = '0', seq = '0'] = version.split('-');
  return [ms, seq];
}

const EVENT_COLUMNS: readonly Column<EventAccepted>[] = [
  { name: 'id', type: 'text', value: (e) => e.id },
  { name: 'created_at', type: 'timestamptz', value: (e) => iso(e.created_at) },
  { name: 'tenant_id', type: 'text', value: (e) => e.tenant_id },
  { name: 'name', type: 'text', value: (e) => e.name },
  { name: 'resource_id', type: 'text', value: (e) => e.resource_id },
  { name: 'resource_type', type: 'text', value: (e) => e.resource_type },
  { name: 'body', type: 'text', value: (e) => e.body },
  { name: 'test', type: 'boolean', value: (e) => e.test },
  { name: 'traceparent', type: 'text', value: (e) => e.traceparent },
  { name: 'version_ms', type: 'bigint', value: (e) => versionOf(e.version)[0] },
  { name: 'version_seq', type: 'bigint', value: (e) => versionOf(e.version)[1] },
];

/** A delivery row as its newest change in a batch leaves it, with the batch's last attempt. */
type DeliveryRow = Omit<DeliveryChanged, 'kind' | 'attempt'> & {
  last: DeliveryChanged['attempt'];
};

const DELIVERY_COLUMNS: readonly Column<DeliveryRow>[] = [
  { name: 'id', type: 'text', value: (d) => d.id },
  { name: 'created_at', type: 'timestamptz', value: (d) => iso(d.created_at) },
  { name: 'event_id', type: 'text', value: (d) => d.event_id },
  { name: 'endpoint_id', type: 'text', value: (d) => d.endpoint_id },
  { name: 'tenant_id', type: 'text', value: (d) => d.tenant_id },
  { name: 'event_name', type: 'text', value: (d) => d.event_name },
  { name: 'resource_id', type: 'text', value: (d) => d.resource_id },
  { name: 'test', type: 'boolean', value: (d) => d.test },
  { name: 'status', type: 'text', value: (d) => d.status },
  { name: 'attempts', type: 'integer', value: (d) => d.attempts },
  {
    name: 'next_attempt_at',
    type: 'timestamptz',
    value: (d) => (d.next_attempt_at === null ? null : iso(d.next_attempt_at)),
  },
  { name: 'updated_at', type: 'timestamptz', value: (d) => iso(d.at) },
  {
    name: 'settled_at',
    type: 'timestamptz',
    value: (d) => (isSettled(d.status) ? iso(d.at) : null),
  },
  { name: 'dead_letter', type: 'boolean', value: (d) => d.dead_letter },
  { name: 'version_ms', type: 'bigint', value: (d) => versionOf(d.version)[0] },
  { name: 'version_seq', type: 'bigint', value: (d) => versionOf(d.version)[1] },
  { name: 'last_attempt', type: 'integer', value: (d) => d.last?.number ?? null },
  { name: 'last_status_code', type: 'integer', value: (d) => d.last?.status_code ?? null },
  { name: 'last_error', type: 'text', value: (d) => d.last?.error ?? null },
];

const LAST_ATTEMPT = new Set(['last_attempt', 'last_status_code', 'last_error']);

/** The last attempt's columns keep the higher-numbered attempt of the row's and the change's. */
const newerAttempt = (column: string) =>
  `CASE WHEN excluded.last_attempt > COALESCE(deliveries.last_attempt, 0) ` +
  `THEN excluded.${column} ELSE deliveries.${column} END`;

const UPSERT_DELIVERY = `ON CONFLICT (id, created_at) DO UPDATE SET ${DELIVERY_COLUMNS.filter(
  (c) => c.name !== 'id' && c.name !== 'created_at',
)
  .map(
    (c) => `${c.name} = ${LAST_ATTEMPT.has(c.name) ? newerAttempt(c.name) : `excluded.${c.name}`}`,
  )
  .join(', ')}
  WHERE (deliveries.version_ms, deliveries.version_seq) < (excluded.version_ms, excluded.version_seq)
  RETURNING id`;

/** An event's deliveries as its change makes them: pending, no attempt yet. */
function pendingDeliveries(event: EventAccepted): DeliveryChanged[] {
  return event.deliveries.map((d) => ({
    kind: 'delivery',
    version: event.version,
    id: d.id,
    event_id: event.id,
    endpoint_id: d.endpoint_id,
    tenant_id: event.tenant_id,
    event_name: event.name,
    resource_id: event.resource_id,
    test: event.test,
    created_at: event.created_at,
    status: 'pending',
    attempts: 0,
    next_attempt_at: null,
    at: event.created_at,
    dead_letter: false,
    attempt: null,
  }));
}

/**
 * Rows in id order: two writers whose batches share rows then lock them in the same order, and
 * one waits for the other instead of deadlocking.
 */
function byId<R extends { id: string }>(rows: Map<string, R>): R[] {
  return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The newest change of each delivery in the batch, with the batch's last attempt of it. */
function newestPerDelivery(
  changes: readonly DeliveryChanged[],
  last: ReadonlyMap<string, AttemptRow>,
): DeliveryRow[] {
  const newest = new Map<string, DeliveryChanged>();
  for (const change of changes) {
    const held = newest.get(change.id);
    if (!held || compareVersions(held.version, change.version) < 0) newest.set(change.id, change);
  }
  return byId(newest).map(({ kind: _kind, attempt: _attempt, ...row }) => ({
    ...row,
    last: last.get(row.id)?.attempt ?? null,
  }));
}

/** An attempt a change recorded, with its delivery's keys. */
type AttemptRow = DeliveryChanged & { attempt: NonNullable<DeliveryChanged['attempt']> };

function hasAttempt(change: DeliveryChanged): change is AttemptRow {
  return change.attempt !== null;
}

const ATTEMPT_COLUMNS: readonly Column<AttemptRow>[] = [
  { name: 'delivery_id', type: 'text', value: (a) => a.id },
  { name: 'created_at', type: 'timestamptz', value: (a) => iso(a.created_at) },
  { name: 'number', type: 'integer', value: (a) => a.attempt.number },
  { name: 'at', type: 'timestamptz', value: (a) => a.attempt.at },
  { name: 'duration_ms', type: 'double precision', value: (a) => a.attempt.duration_ms },
  { name: 'status_code', type: 'integer', value: (a) => a.attempt.status_code },
  { name: 'error', type: 'text', value: (a) => a.attempt.error },
  { name: 'response_excerpt', type: 'text', value: (a) => a.attempt.response_excerpt },
  { name: 'endpoint_id', type: 'text', value: (a) => a.endpoint_id },
  { name: 'tenant_id', type: 'text', value: (a) => a.tenant_id },
  { name: 'status_after', type: 'text', value: (a) => a.status },
];

/** The highest-numbered attempt of each delivery in the batch. */
function lastAttempts(attempts: readonly AttemptRow[]): Map<string, AttemptRow> {
  const last = new Map<string, AttemptRow>();
  for (const row of attempts) {
    const held = last.get(row.id);
    if (!held || held.attempt.number < row.attempt.number) last.set(row.id, row);
  }
  return last;
}

const LAST_ATTEMPT_COLUMNS = ATTEMPT_COLUMNS.filter((c) =>
  ['delivery_id', 'created_at', 'number', 'status_code', 'error'].includes(c.name),
);

function updateLastAttempts(attempts: readonly AttemptRow[]): { text: string; values: unknown[] } {
  const { from, names, values } = unnestOf(LAST_ATTEMPT_COLUMNS, attempts);
  let [earliest, latest] = [Infinity, -Infinity];
  for (const { created_at } of attempts) {
    earliest = Math.min(earliest, created_at);
    latest = Math.max(latest, created_at);
  }
  return {
    // The bounds on created_at let the planner leave out the partitions the batch cannot touch.
    text: `UPDATE deliveries
              SET last_attempt = u.number, last_status_code = u.status_code, last_error = u.error
             FROM ${from} AS u(${names})
            WHERE deliveries.id = u.delivery_id AND deliveries.created_at = u.created_at
              AND deliveries.created_at BETWEEN $${values.length + 1} AND $${values.length + 2}
              AND (deliveries.last_attempt IS NULL OR deliveries.last_attempt < u.number)`,
    values: [...values, iso(earliest), iso(latest)],
  };
}

/** Writes `changes` on `client`; run it in a transaction, so that a batch is all or nothing. */
export async function writeChanges(client: ClientBase, changes: readonly Change[]): Promise<void> {
  const events = changes.filter((c): c is EventAccepted => c.kind === 'event');
  const changed = changes.filter((c): c is DeliveryChanged => c.kind === 'delivery');
  if (events.length > 0) {
    await client.query(
      insertRows('events', EVENT_COLUMNS, events, 'ON CONFLICT (id, created_at) DO NOTHING'),
    );
  }
  const deliveries = [...events.flatMap(pendingDeliveries), ...changed];
  if (deliveries.length === 0) return;
  const attempts = changed.filter(hasAttempt);
  const last = lastAttempts(attempts);
  const written = await client.query<{ id: string }>(
    insertRows(
      'deliveries',
      DELIVERY_COLUMNS,
      newestPerDelivery(deliveries, last),
      UPSERT_DELIVERY,
    ),
  );
  if (attempts.length === 0) return;
  await client.query(
    insertRows(
      'attempts',
      ATTEMPT_COLUMNS,
      attempts,
      'ON CONFLICT (delivery_id, created_at, number) DO NOTHING',
    ),
  );
  // Rows the upsert left alone (the row held a newer change) may still lack this last attempt.
  const updated = new Set(written.rows.map((row) => row.id));
  const missed = byId(new Map([...last].filter(([id]) => !updated.has(id))));
  if (missed.length > 0) await client.query(updateLastAttempts(missed));
}
