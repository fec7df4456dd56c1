import type { ActivityBucket, ActivityQuery } from '../log-store';
import { Conditions } from './conditions';
import type { Db } from './db';
import { iso } from './time';

/**
 * Per bucket of `bucketMs` from `since`: deliveries that settled delivered or dead in it (by
 * settled_at), and attempts that failed with a retry to come (an attempt row remembers the status
 * it left its delivery in). Every bucket is answered, an empty one with zeros. A delivery settles,
 * and an attempt is made, after its creation, so `created_at < until` leaves out the partitions
 * of later days.
 */
export async function activity(db: Db, query: ActivityQuery): Promise<ActivityBucket[]> {
  const buckets = Math.max(0, Math.ceil((query.until - query.since) / query.bucketMs));
  if (buckets === 0) return [];
  const c = new Conditions();
  const since = c.param(query.since);
  const bucketMs = c.param(query.bucketMs);
  const from = c.param(iso(query.since));
  const until = c.param(iso(query.until));
  const count = c.param(buckets);
  const scope = (alias: string) =>
    c.on(alias).tenant('tenant_id', query.tenant_id).equal('endpoint_id', query.endpoint_id);
  const settled = scope('d');
  const failed = scope('a');
  const bucketOf = (column: string) =>
    `floor((extract(epoch FROM ${column})::float8 * 1000 - ${since}::float8) / ${bucketMs}::float8)::integer`;
  const { rows } = await db.query<{
    bucket: number;
    delivered: number;
    failed: number;
    dead: number;
  }>(
    `WITH settled AS (
       SELECT ${bucketOf('d.settled_at')} AS bucket,
              count(*) FILTER (WHERE d.status = 'delivered')::integer AS delivered,
              count(*) FILTER (WHERE d.status = 'dead')::integer AS dead
         FROM deliveries d
        WHERE d.settled_at >= ${from} AND d.settled_at < ${until} AND d.created_at < ${until}
              AND ${settled.all()}
        GROUP BY 1
     ), failed AS (
       SELECT ${bucketOf('a.at')} AS bucket, count(*)::integer AS failed
         FROM attempts a
        WHERE a.status_after = 'failed' AND a.at >= ${from} AND a.at < ${until}
              AND a.created_at < ${until} AND ${failed.all()}
        GROUP BY 1
     )
     SELECT b.bucket, coalesce(s.delivered, 0) AS delivered, coalesce(f.failed, 0) AS failed,
            coalesce(s.dead, 0) AS dead
       FROM generate_series(0, ${count}::integer - 1) AS b(bucket)
       LEFT JOIN settled s USING (bucket)
       LEFT JOIN failed f USING (bucket)
      ORDER BY b.bucket`,
    c.values,
  );
  return rows.map((row) => ({
    at: query.since + row.bucket * query.bucketMs,
    delivered: row.delivered,
    failed: row.failed,
    dead: row.dead,
  }));
}
