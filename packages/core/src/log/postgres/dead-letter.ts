import type { DeadLetterSearch, ReplayCandidate } from '../log-store';
import { Conditions } from './conditions';
import type { Db } from './db';

interface CandidateRecord extends Omit<ReplayCandidate, 'created_at'> {
  created_at: Date;
}

/**
 * Dead-lettered deliveries, oldest first, with their event's body and traceparent: what a replay
 * enqueues again. A delivery whose event row is missing is left out, as it could not be sent.
 */
export async function deadLetterForReplay(
  db: Db,
  query: DeadLetterSearch,
  limit: number,
): Promise<ReplayCandidate[]> {
  const where = new Conditions('d')
    .flag('dead_letter', true)
    .tenant('tenant_id', query.tenant_id)
    .equal('endpoint_id', query.endpoint_id)
    .oneOf('id', query.ids)
    .created('whd', query.since, query.until)
    .beyond(query.after, 'after');
  const { rows } = await db.query<CandidateRecord>(
    `SELECT d.id, d.event_id, d.endpoint_id, d.tenant_id, d.event_name, d.resource_id, d.test,
            d.created_at, d.attempts, e.body, e.traceparent
       FROM deliveries d
       JOIN events e ON e.id = d.event_id AND e.created_at = d.created_at
       ${where.where()}
      ORDER BY d.id LIMIT ${where.param(limit)}`,
    where.values,
  );
  return rows.map((row) => ({ ...row, created_at: row.created_at.getTime() }));
}
