import { count, type BenchCase } from '../case';
import { nowMs, waitFor } from '../clock';
import { freshPrefix } from '../hookline';
import { psql } from '../log-database';
import { summarize } from '../stats';

/**
 * The log every round lists: seeded once (by the first round to run this case), kept to the end of
 * the run. Its prefix is this run's own.
 */
const PREFIX = freshPrefix('list');
/** Days the seeded deliveries' creation spreads over, today's included: a partition each. */
const DAYS = 7;
/** Lists sent first and not timed: connections made, the indexes' pages read into memory. */
const WARM_UP = 20;
/** Of the seeded deliveries: 90% delivered, 4% failed (waiting to retry), 5% dead, 1% pending. */
const STATUSES = ['delivered', 'failed', 'dead', 'pending'] as const;

/** `ep_…` ids of the seeded endpoints: valid ids (Crockford base32), no endpoint behind them. */
function endpointIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `ep_01BENCHEP${String(i).padStart(17, '0')}`);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The SQL that seeds `deliveries` rows over the last {@link DAYS} days (UTC), spread evenly in
 * time and over `endpoints`, with the attempts each one's status implies. Ids are made as
 * Hookline makes them (10 characters of creation time, 16 more), so they sort by creation time
 * and name it, and each day's partitions are made as the log names them
 * (`deliveries_p20250131`, partitions.ts), so the log treats them as its own.
 */
export function seedSql(deliveries: number, endpoints: readonly string[], now: number): string {
  const DAY_MS = 86_400_000;
  const firstDay = Math.floor(now / DAY_MS) - (DAYS - 1);
  const startMs = firstDay * DAY_MS;
  const spanMs = now - startMs;
  return `
CREATE FUNCTION pg_temp.b32(v bigint, len int) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v >> (5 * (len - 1 - i))) & 31)::int + 1, 1), '' ORDER BY i)
    FROM generate_series(0, len - 1) AS i
$f$;

DO $d$
DECLARE
  day date;
  t text;
BEGIN
  FOR day IN SELECT generate_series(DATE '${isoDay(startMs)}', DATE '${isoDay(now)}', interval '1 day')::date LOOP
    FOREACH t IN ARRAY ARRAY['events', 'deliveries', 'attempts'] LOOP
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        t || '_p' || to_char(day, 'YYYYMMDD'), t, day || 'T00:00:00Z', (day + 1) || 'T00:00:00Z');
    END LOOP;
  END LOOP;
END
$d$;

CREATE TEMP TABLE seed AS
SELECT n, key, at, status,
       CASE status WHEN 'delivered' THEN 1 WHEN 'failed' THEN 2 WHEN 'dead' THEN 3 ELSE 0 END AS attempts
  FROM (
    SELECT n,
           pg_temp.b32(ms, 10) || pg_temp.b32(n, 16) AS key,
           timestamptz 'epoch' + ms * interval '1 millisecond' AS at,
           CASE WHEN r < 0.90 THEN 'delivered' WHEN r < 0.94 THEN 'failed'
                WHEN r < 0.99 THEN 'dead' ELSE 'pending' END AS status
      FROM (SELECT n, ${startMs}::bigint + (n * ${spanMs}::bigint) / ${deliveries} AS ms, random() AS r
              FROM generate_series(0, ${deliveries - 1}) AS n) AS g
  ) AS s;

INSERT INTO deliveries (id, created_at, event_id, endpoint_id, tenant_id, event_name, resource_id,
                        test, status, attempts, next_attempt_at, updated_at, settled_at, dead_letter,
                        last_attempt, last_status_code, last_error, version_ms, version_seq)
SELECT 'whd_' || key, at, 'evt_' || key,
       (ARRAY[${endpoints.map((id) => `'${id}'`).join(', ')}])[1 + n % ${endpoints.length}],
       NULL, 'order.filled', NULL, false, status, attempts,
       CASE WHEN status = 'failed' THEN at + interval '1 minute' END,
       at + attempts * interval '1 second',
       CASE WHEN status IN ('delivered', 'dead') THEN at + attempts * interval '1 second' END,
       status = 'dead', NULLIF(attempts, 0),
       CASE WHEN status = 'delivered' THEN 204 WHEN attempts > 0 THEN 500 END,
       NULL, (extract(epoch FROM at) * 1000)::bigint, 0
  FROM seed;

INSERT INTO attempts (delivery_id, created_at, number, at, duration_ms, status_code, error,
                      response_excerpt, endpoint_id, tenant_id, status_after)
SELECT d.id, d.created_at, k, d.created_at + k * interval '1 second', 12.5,
       CASE WHEN d.status = 'delivered' THEN 204 ELSE 500 END, NULL, '', d.endpoint_id, NULL,
       CASE WHEN k < d.attempts THEN 'failed' ELSE d.status END
  FROM deliveries AS d, generate_series(1, d.attempts) AS k;

VACUUM ANALYZE deliveries;
VACUUM ANALYZE attempts;
`;
}

/**
 * A filtered list on a large log: `GET /v1/deliveries?endpoint_id=…&status=…` (the API's default
 * page of 50), one request at a time through the producer, over a log of `listDeliveries` seeded
 * in SQL (seedSql), each request another endpoint and status in turn. The log is seeded by the
 * first round and kept for the others.
 */
export const logList: BenchCase = {
  id: 'log-list',
  title: 'Hookline filtered list',
  hookline: true,
  async run({ sizes, hookline, progress }) {
    const endpoints = endpointIds(sizes.listEndpoints);
    const url = await hookline.logs.urlFor(PREFIX, { keep: true });
    const producer = await hookline.startProducer(PREFIX, { connections: 4 });
    try {
      progress(0, "waiting for the log's schema");
      await waitFor(
        "the producer to make the log's tables",
        async () =>
          (await psql(url, "SELECT to_regclass('deliveries') IS NOT NULL")).trim() === 't'
            ? true
            : undefined,
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      let seedMs: number | null = null;
      const seeded = Number((await psql(url, 'SELECT count(*) FROM deliveries')).trim());
      if (seeded !== sizes.listDeliveries) {
        if (seeded !== 0) throw new Error(`the list's log holds ${seeded} deliveries, not 0`);
        progress(0.05, `seeding ${count(sizes.listDeliveries)} deliveries in SQL`);
        const started = nowMs();
        await psql(url, seedSql(sizes.listDeliveries, endpoints, Date.now()));
        seedMs = nowMs() - started;
      }

      const latencies: number[] = [];
      let errors = 0;
      const total = WARM_UP + sizes.listRequests;
      for (let i = 0; i < total; i++) {
        const endpoint = endpoints[(i * 7) % endpoints.length]!;
        const status = STATUSES[i % STATUSES.length]!;
        const started = nowMs();
        const answer = await producer.api
          .request<{ data: unknown[] }>(
            'GET',
            `/v1/deliveries?endpoint_id=${endpoint}&status=${status}`,
          )
          .catch(() => undefined);
        const ms = nowMs() - started;
        if (i < WARM_UP) continue;
        if (answer?.status === 200 && answer.body.data.length > 0) latencies.push(ms);
        else errors += 1;
        if (i % 50 === 0) progress(0.5 + (0.5 * i) / total, `${count(i)} lists`);
      }
      return {
        logList: {
          deliveries: sizes.listDeliveries,
          endpoints: endpoints.length,
          requests: sizes.listRequests,
          errors,
          seedMs,
          latencyMs: summarize(latencies),
        },
      };
    } finally {
      await producer.stop();
    }
  },
};
