import { randomBytes } from 'node:crypto';
import type { Attempt, DeliveryStatus } from '@hookline/api';
import type { HooklineContext } from './context';
import type { RecordVerdict } from './in-flight/in-flight-store';
import { LogWriter } from './log/log-writer';
import { withClient, withDatabase, dropDatabase } from './log/postgres/database';
import { createLogger } from './logger';
import { waitFor } from './testing';

// The log's tests run against a real Postgres, never a mock: the one on 127.0.0.1:5432 unless
// HOOKLINE_TEST_LOG_URL names another (any database of it: each test file gets its own).

export const TEST_LOG_URL =
  process.env.HOOKLINE_TEST_LOG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestLog {
  /** The URL of a new, empty database. */
  url: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

/** A database of its own on the test Postgres, `hl_<label>_<random hex>`. */
export async function createTestLog(label = 'test'): Promise<TestLog> {
  const name = `hl_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(TEST_LOG_URL, name);
  await withClient(TEST_LOG_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  return { url, drop: () => dropDatabase(url) };
}

/**
 * Waits until every change appended so far is in the log (every shard's change stream is empty:
 * a writer deletes what it has written), so that a test reads lists as the log has them.
 */
export async function untilLogged(
  context: Pick<HooklineContext, 'redis' | 'keys'>,
  timeoutMs = 15_000,
): Promise<void> {
  const { redis, keys } = context;
  await waitFor(
    async () => {
      const lengths = await Promise.all(keys.allShards.map((s) => redis.xlen(keys.changes(s))));
      return lengths.every((n) => n === 0);
    },
    { timeoutMs, message: 'changes still not in the log' },
  );
}

/**
 * A log writer for a test's in-process context (the dispatcher runs one of its own): quick to
 * notice new changes, so that what a test publishes is listed within a few ms.
 */
export function startTestLogWriter(context: HooklineContext): LogWriter {
  const writer = new LogWriter(
    context.redis,
    context.keys,
    context.log,
    createLogger('silent', 'test-log-writer'),
    30 * 86_400_000,
    { idleMs: 10, sweepEveryMs: 200, claimIdleMs: 2_000 },
  );
  writer.start();
  return writer;
}

/**
 * Moves a delivery in flight as a dispatcher would (in-flight-store.ts `record`), for tests that
 * need one dead-lettered, failed or delivered without a receiver: `dead` joins the dead letter.
 */
export async function moveInFlight(
  context: Pick<HooklineContext, 'inFlight'>,
  id: string,
  to: DeliveryStatus,
  options: { attempt?: Attempt; now?: number; deadLetter?: boolean } = {},
): Promise<RecordVerdict> {
  const delivery = await context.inFlight.get(id);
  if (!delivery) throw new Error(`delivery ${id} has no job: it is not in flight`);
  return context.inFlight.record(delivery, {
    to,
    now: options.now ?? Date.now(),
    attempt: options.attempt,
    deadLetter: options.deadLetter ?? to === 'dead',
  });
}
