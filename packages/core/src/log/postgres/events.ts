import {
  traceIdOf,
  type DeliveryStatus,
  type EventWithDeliveries,
  type PageResult,
} from '@hookline/api';
import type { WebhookEvent } from '@hookline/webhooks';
import { idTime } from '../../ids';
import type { EventSearch } from '../log-store';
import { Conditions } from './conditions';
import type { Db } from './db';
import { groupBy } from './group-by';
import { pageOf } from './page';
import { iso } from './time';

// Events as the API shows them: the body receivers got, the tenant, and each delivery's state.

interface EventRecord {
  id: string;
  tenant_id: string | null;
  body: string;
  traceparent: string | null;
  created_at: Date;
}

interface EventDeliveryRecord {
  id: string;
  event_id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number;
}

/** Events with their deliveries' states, in one query for the deliveries of all of them. */
async function withDeliveries(
  db: Db,
  events: readonly EventRecord[],
): Promise<EventWithDeliveries[]> {
  if (events.length === 0) return [];
  // A delivery's created_at is its event's, so the times prune to the events' partitions.
  const { rows } = await db.query<EventDeliveryRecord>(
    `SELECT id, event_id, endpoint_id, status, attempts FROM deliveries
      WHERE event_id = ANY($1) AND created_at = ANY($2::timestamptz[])
      ORDER BY id`,
    [events.map((e) => e.id), events.map((e) => e.created_at.toISOString())],
  );
  const byEvent = groupBy(rows, (row) => row.event_id);
  return events.map((event) => ({
    ...(JSON.parse(event.body) as WebhookEvent),
    tenant_id: event.tenant_id,
    trace_id: traceIdOf(event.traceparent),
    deliveries: (byEvent.get(event.id) ?? []).map(({ id, endpoint_id, status, attempts }) => ({
      id,
      endpoint_id,
      status,
      attempts,
    })),
  }));
}

const EVENT_FIELDS = 'id, tenant_id, body, traceparent, created_at';

export async function getEvent(db: Db, id: string): Promise<EventWithDeliveries | undefined> {
  const ms = idTime(id);
  if (ms === undefined) return undefined;
  const { rows } = await db.query<EventRecord>(
    `SELECT ${EVENT_FIELDS} FROM events WHERE id = $1 AND created_at = $2`,
    [id, iso(ms)],
  );
  return (await withDeliveries(db, rows))[0];
}

export async function listEvents(
  db: Db,
  query: EventSearch,
): Promise<PageResult<EventWithDeliveries>> {
  const where = new Conditions()
    .flag('test', false)
    .tenant('tenant_id', query.tenant_id)
    .name('name', query.name)
    .equal('resource_id', query.resource_id)
    .created('evt', query.since, query.until)
    .beyond(query.cursor, 'before');
  const { rows } = await db.query<EventRecord>(
    `SELECT ${EVENT_FIELDS} FROM events ${where.where()}
      ORDER BY id DESC LIMIT ${where.param(query.limit + 1)}`,
    where.values,
  );
  const page = pageOf(rows, query.limit);
  return { data: await withDeliveries(db, page.rows), next_cursor: page.next_cursor };
}
