import { Client, escapeIdentifier } from 'pg';
import { codeOf } from './db';

// `npm start` runs against a local Postgres with nothing set up in it: the log's database is
// created at start if the server answers and it does not exist yet. Creating a database needs a
// connection to another one, so the server's own `postgres` database is used for that.

const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/** The database a `postgres://` URL names. */
export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The same server and user as `url`, on another database. */
export function withDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${encodeURIComponent(database)}`;
  return other.toString();
}

/** Runs `run` on a connection of its own to `url`, closed after. */
export async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  // A connection that dies emits 'error', which would end the process unheard; the query it
  // broke rejects, and that is what the caller hears.
  client.on('error', () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates the database `url` names unless it exists. Safe to run concurrently. */
export async function ensureDatabase(url: string): Promise<void> {
  try {
    await withClient(url, async () => {});
    return;
  } catch (error) {
    if (codeOf(error) !== INVALID_CATALOG_NAME) throw error;
  }
  await withClient(withDatabase(url, 'postgres'), async (client) => {
    try {
      await client.query(`CREATE DATABASE ${escapeIdentifier(databaseOf(url))}`);
    } catch (error) {
      // Another process starting at the same time created it first: pg_database's unique index
      // reports the race when the catalog check did not.
      const code = codeOf(error);
      if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
    }
  });
}

/** Drops the database `url` names, if it exists, closing its connections. */
export async function dropDatabase(url: string): Promise<void> {
  await withClient(withDatabase(url, 'postgres'), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(databaseOf(url))} WITH (FORCE)`);
  });
}
