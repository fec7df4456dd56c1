import {
  traceIdOf,
  type Attempt,
  type AttemptError,
  type Delivery,
  type DeliveryStatus,
  type PageRequest,
  type PageResult,
  type TraceId,
} from '@hookline/api';
import { idTime } from '../../ids';
import type { DeliverySearch } from '../log-store';
import { Conditions } from './conditions';
import type { Db } from './db';
import { groupBy } from './group-by';
import { pageOf } from './page';
import { iso } from './time';

// Deliveries as the API shows them, each with every attempt, and the searches over them.

interface DeliveryRecord {
  id: string;
  event_id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  test: boolean;
  next_attempt_at: Date | null;
  created_at: Date;
}

interface AttemptRecord {
  delivery_id: string;
  number: number;
  at: Date;
  duration_ms: number;
  status_code: number | null;
  error: AttemptError | null;
  response_excerpt: string;
}

const DELIVERY_FIELDS = 'id, event_id, endpoint_id, status, test, next_attempt_at, created_at';

/**
 * The trace id of each event, by event id. A statement of its own rather than a join with the
 * deliveries: a statement that reads two of the log's tables takes their locks one after the
 * other, and creating or dropping a day's partitions (partitions.ts) locks the parents one after
 * the other too, so the two can deadlock; reading one table per statement never holds a lock
 * while waiting for another. A delivery whose event is not logged yet (a delivery's change can
 * reach the log first: changes.ts) has none until it is.
 */
async function traceIdsOf(
  db: Db,
  deliveries: readonly DeliveryRecord[],
): Promise<Map<string, TraceId | null>> {
  // An event's created_at is its deliveries', so the times prune to their partitions.
  const { rows } = await db.query<{ id: string; traceparent: string | null }>(
    `SELECT id, traceparent FROM events
      WHERE id = ANY($1) AND created_at = ANY($2::timestamptz[]) AND traceparent IS NOT NULL`,
    [deliveries.map((d) => d.event_id), deliveries.map((d) => d.created_at.toISOString())],
  );
  return new Map(rows.map((row) => [row.id, traceIdOf(row.traceparent)]));
}

/** Deliveries as the API shows them: their attempts and their event's trace id, read for all at once. */
async function asDeliveries(db: Db, deliveries: readonly DeliveryRecord[]): Promise<Delivery[]> {
  if (deliveries.length === 0) return [];
  // An attempt's created_at is its delivery's, so the times prune to the deliveries' partitions.
  const [{ rows }, traceIds] = await Promise.all([
    db.query<AttemptRecord>(
      `SELECT delivery_id, number, at, duration_ms, status_code, error, response_excerpt
         FROM attempts
        WHERE delivery_id = ANY($1) AND created_at = ANY($2::timestamptz[])
        ORDER BY delivery_id, number`,
      [deliveries.map((d) => d.id), deliveries.map((d) => d.created_at.toISOString())],
    ),
    traceIdsOf(db, deliveries),
  ]);
  const byDelivery = groupBy(rows, (row) => row.delivery_id);
  return deliveries.map((d) => ({
    id: d.id,
    // A test send has no event to name: receivers get no Event-Id, and the API shows none.
    event_id: d.test ? null : d.event_id,
    trace_id: traceIds.get(d.event_id) ?? null,
    endpoint_id: d.endpoint_id,
    status: d.status,
    attempts: (byDelivery.get(d.id) ?? []).map((a): Attempt => ({
      number: a.number,
      at: a.at.toISOString(),
      duration_ms: a.duration_ms,
      status_code: a.status_code,
      error: a.error,
      response_excerpt: a.response_excerpt,
    })),
    next_attempt_at: d.next_attempt_at === null ? null : d.next_attempt_at.toISOString(),
    created_at: d.created_at.toISOString(),
  }));
}

/** Ids with the creation time each encodes (malformed ids, which match nothing, left out). */
function keysOf(ids: readonly string[]): { ids: string[]; times: string[] } {
  const known = ids.flatMap((id) => {
    const ms = idTime(id);
    return ms === undefined ? [] : [{ id, time: iso(ms) }];
  });
  return { ids: known.map((k) => k.id), times: known.map((k) => k.time) };
}

export async function getDeliveries(db: Db, ids: readonly string[]): Promise<Delivery[]> {
  const keys = keysOf(ids);
  if (keys.ids.length === 0) return [];
  const { rows } = await db.query<DeliveryRecord>(
    `SELECT ${DELIVERY_FIELDS} FROM deliveries
      WHERE id = ANY($1) AND created_at = ANY($2::timestamptz[])`,
    [keys.ids, keys.times],
  );
  const byId = new Map((await asDeliveries(db, rows)).map((d) => [d.id, d]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function tenantOfDelivery(db: Db, id: string): Promise<string | null | undefined> {
  const keys = keysOf([id]);
  if (keys.ids.length === 0) return undefined;
  const { rows } = await db.query<{ tenant_id: string | null }>(
    'SELECT tenant_id FROM deliveries WHERE id = $1 AND created_at = $2',
    [keys.ids[0], keys.times[0]],
  );
  return rows[0]?.tenant_id;
}

/** The filters of a delivery search, ANDed. */
export function deliveryConditions(query: Omit<DeliverySearch, keyof PageRequest>): Conditions {
  return new Conditions()
    .tenant('tenant_id', query.tenant_id)
    .equal('endpoint_id', query.endpoint_id)
    .equal('event_id', query.event_id)
    .oneOf('status', query.status)
    .flag('dead_letter', query.dead_letter)
    .name('event_name', query.name)
    .equal('resource_id', query.resource_id)
    .equal('last_status_code', query.http_status)
    .created('whd', query.since, query.until);
}

/** The statement that reads a page of a delivery search (`limit + 1` rows, newest first). */
export function deliveryPageQuery(query: DeliverySearch): { text: string; values: unknown[] } {
  const where = deliveryConditions(query).beyond(query.cursor, 'before');
  return {
    text: `SELECT ${DELIVERY_FIELDS} FROM deliveries ${where.where()}
            ORDER BY id DESC LIMIT ${where.param(query.limit + 1)}`,
    values: where.values,
  };
}

export async function listDeliveries(db: Db, query: DeliverySearch): Promise<PageResult<Delivery>> {
  const { rows } = await db.query<DeliveryRecord>(deliveryPageQuery(query));
  const page = pageOf(rows, query.limit);
  return { data: await asDeliveries(db, page.rows), next_cursor: page.next_cursor };
}

export async function countDeliveries(
  db: Db,
  query: Omit<DeliverySearch, keyof PageRequest>,
): Promise<number> {
  const where = deliveryConditions(query);
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::integer AS count FROM deliveries ${where.where()}`,
    where.values,
  );
  return rows[0]?.count ?? 0;
}
