import { LOG_GROUP } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Client } from 'pg';
import type { Deployment } from './hookline';
import { allKeys } from './inspect';
import type { Receiver } from './receiver';

/** A delivery as the log's tables hold it. */
export interface LoggedDelivery {
  id: string;
  event_id: string;
  status: string;
  attempts: number;
  /** The highest attempt number written. */
  last_attempt: number | null;
  /** Rows of the attempts table for it. */
  attempt_rows: number;
  /** Rows of the deliveries table for it: 1, or it was written twice. */
  rows: number;
}

/**
 * What the log holds of `eventIds` and their deliveries, read in SQL, not through the API: a row
 * written twice (under another partition key, say), which a read by id would show as one, is
 * counted here.
 */
export async function readLog(
  url: string,
  eventIds: readonly string[],
): Promise<{ events: Map<string, number>; deliveries: Map<string, LoggedDelivery> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const events = await client.query<{ id: string; rows: string }>(
      'SELECT id, count(*) AS rows FROM events WHERE id = ANY($1::text[]) GROUP BY id',
      [eventIds],
    );
    const deliveries = await client.query<
      Omit<LoggedDelivery, 'rows' | 'attempt_rows'> & {
        rows: string;
        attempt_rows: string;
      }
    >(
      `SELECT d.id, min(d.event_id) AS event_id, min(d.status) AS status,
              min(d.attempts) AS attempts, min(d.last_attempt) AS last_attempt, count(*) AS rows,
              (SELECT count(*) FROM attempts a WHERE a.delivery_id = d.id) AS attempt_rows
         FROM deliveries d
        WHERE d.event_id = ANY($1::text[])
        GROUP BY d.id`,
      [eventIds],
    );
    return {
      events: new Map(events.rows.map((r) => [r.id, Number(r.rows)])),
      deliveries: new Map(
        deliveries.rows.map((r) => [
          r.id,
          { ...r, rows: Number(r.rows), attempt_rows: Number(r.attempt_rows) },
        ]),
      ),
    };
  } finally {
    await client.end();
  }
}

/** What a delivery must be in the log once everything has settled. */
export interface Expected {
  status: 'delivered' | 'dead';
  /** Attempts, at least and at most (a receiver's request count bounds what was recorded). */
  attempts: [min: number, max: number];
}

/** A way the log differs from what every accepted event and delivery should have left there. */
export type LogProblem = { id: string; problem: string; logged?: LoggedDelivery | number };

/**
 * Every accepted event (by id) and each of its deliveries (`deliveryIds`) in the log exactly
 * once, in its final status, with its attempts each written once (numbered 1…n, n as the row
 * says) and as many as `expected` allows; nothing else logged for those events.
 */
export async function checkLog(
  url: string,
  eventIds: readonly string[],
  deliveryIds: readonly string[],
  expected: (deliveryId: string) => Expected,
): Promise<{ problems: LogProblem[]; events: number; deliveries: number }> {
  const log = await readLog(url, eventIds);
  const problems: LogProblem[] = [];
  for (const eventId of eventIds) {
    const rows = log.events.get(eventId) ?? 0;
    if (rows !== 1) problems.push({ id: eventId, problem: `event logged ${rows} times` });
  }
  const wanted = new Set(deliveryIds);
  for (const id of deliveryIds) {
    const row = log.deliveries.get(id);
    if (!row) {
      problems.push({ id, problem: 'delivery not in the log' });
      continue;
    }
    const want = expected(id);
    const [min, max] = want.attempts;
    if (row.rows !== 1) problems.push({ id, problem: 'delivery logged twice', logged: row });
    else if (row.status !== want.status)
      problems.push({ id, problem: `status ${row.status}, not ${want.status}`, logged: row });
    else if (row.attempts !== row.attempt_rows || row.attempts !== (row.last_attempt ?? 0))
      problems.push({ id, problem: 'attempts unlike its attempt rows', logged: row });
    else if (row.attempts < min || row.attempts > max)
      problems.push({ id, problem: `attempts not within ${min}-${max}`, logged: row });
  }
  for (const id of log.deliveries.keys())
    if (!wanted.has(id)) problems.push({ id, problem: 'a delivery nobody accepted is logged' });
  return { problems, events: log.events.size, deliveries: log.deliveries.size };
}

/** What is left in Redis of deliveries and events once they have settled and been logged. */
export interface Leftovers {
  /** Delivery jobs (a settled one goes once the log holds it). */
  jobs: number;
  /** Events marked as not yet logged. */
  unlogged: number;
  /** Changes still in the streams. */
  changes: number;
  /** Changes read by a writer and not acknowledged. */
  pending: number;
}

/** Changes in every shard's stream: appended, and not yet written to the log by any writer. */
export async function streamLength(h: Deployment): Promise<number> {
  const lengths = await Promise.all(
    h.keys.allShards.map((shard) => h.redis.xlen(h.keys.changes(shard))),
  );
  return lengths.reduce((sum, n) => sum + n, 0);
}

/**
 * Changes each log writer has read and not acknowledged (its batch in hand), over every shard,
 * by consumer name (`<host>-<pid>-<random>`, log-writer.ts).
 */
export async function pendingByWriter(h: Deployment): Promise<Map<string, number>> {
  const byWriter = new Map<string, number>();
  for (const shard of h.keys.allShards) {
    const consumers = (await h.redis
      .xinfo('CONSUMERS', h.keys.changes(shard), LOG_GROUP)
      .catch(() => [])) as (string | number)[][];
    for (const fields of consumers) {
      const name = String(fields[fields.indexOf('name') + 1]);
      const pending = Number(fields[fields.indexOf('pending') + 1]);
      byWriter.set(name, (byWriter.get(name) ?? 0) + pending);
    }
  }
  return byWriter;
}

/** Counts {@link Leftovers} (one redis-server: SCAN reads one node). */
export async function leftovers(h: Deployment): Promise<Leftovers> {
  const keys = await allKeys(h.redis);
  const streams = h.keys.allShards.map((shard) => h.keys.changes(shard));
  const pending = await Promise.all(
    streams.map((stream) =>
      h.redis
        .xpending(stream, LOG_GROUP)
        .then((reply) => Number((reply as [number])[0]))
        .catch(() => 0),
    ),
  );
  return {
    jobs: keys.filter((key) => /:deliveries:whd_[0-9A-Z]{26}$/.test(key)).length,
    unlogged: keys.filter((key) => /:evt:evt_[0-9A-Z]{26}$/.test(key)).length,
    changes: await streamLength(h),
    pending: pending.reduce((sum, n) => sum + n, 0),
  };
}

/** Waits until nothing of settled deliveries is left in Redis; the last count if it never is. */
export async function untilForgotten(h: Deployment, timeoutMs = 60_000): Promise<Leftovers> {
  let last: Leftovers | undefined;
  await waitFor(
    async () => {
      last = await leftovers(h);
      return Object.values(last).every((n) => n === 0);
    },
    { timeoutMs, intervalMs: 500, message: 'Redis to forget what the log holds' },
  ).catch(() => undefined);
  return last!;
}

/** Nothing left in Redis of what settled: what {@link untilForgotten} waits for. */
export const NOTHING_LEFT: Leftovers = { jobs: 0, unlogged: 0, changes: 0, pending: 0 };

/** Delivered, with at least one attempt and no more than `receiver` had requests for it. */
export function deliveredAsSent(receiver: Receiver): (deliveryId: string) => Expected {
  return (id) => ({ status: 'delivered', attempts: [1, receiver.arrivals.get(id) ?? 0] });
}

/**
 * Once every accepted delivery has settled: waits for the log to have every change and for Redis
 * to forget what it holds, then expects the log to be as {@link checkLog} wants it and nothing
 * of them left in Redis. Returns how long the log took to have every change (ms).
 */
export async function expectLoggedOnce(
  h: Deployment,
  eventIds: readonly string[],
  deliveryIds: readonly string[],
  expected: (deliveryId: string) => Expected,
): Promise<number> {
  const started = Date.now();
  await h.untilLogged();
  const loggedMs = Date.now() - started;
  const left = await untilForgotten(h);
  const { problems } = await checkLog(h.log!.url, eventIds, deliveryIds, expected);
  expect(problems.slice(0, 10)).toEqual([]);
  expect(left).toEqual(NOTHING_LEFT);
  return loggedMs;
}
