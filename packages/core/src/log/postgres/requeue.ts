import type { DeliveryStatus } from '@hookline/api';
import type { ReplayCandidate } from '../log-store';
import type { Db } from './db';

interface CandidateRecord extends Omit<ReplayCandidate, 'created_at'> {
  created_at: Date;
  status: DeliveryStatus;
}

/**
 * Logged deliveries by id, whatever their status, with their event's body: what a retry or a
 * recovery enqueues again once a delivery's job is gone.
 */
export async function requeueCandidates(
  db: Db,
  ids: readonly string[],
): Promise<(ReplayCandidate & { status: DeliveryStatus })[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<CandidateRecord>(
    `SELECT d.id, d.event_id, d.endpoint_id, d.tenant_id, d.event_name, d.resource_id, d.test,
            d.created_at, d.attempts, d.status, e.body, e.traceparent
       FROM deliveries d
       JOIN events e ON e.id = d.event_id AND e.created_at = d.created_at
      WHERE d.id = ANY($1)`,
    [ids],
  );
  return rows.map((row) => ({ ...row, created_at: row.created_at.getTime() }));
}

/** Those of `ids` that the log holds delivered or dead. */
export async function settledIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM deliveries WHERE id = ANY($1) AND status IN ('delivered', 'dead')`,
    [ids],
  );
  return rows.map((row) => row.id);
}
