import { randomBytes } from 'node:crypto';
import { withClient, withDatabase, dropDatabase } from './log/postgres/database';

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
