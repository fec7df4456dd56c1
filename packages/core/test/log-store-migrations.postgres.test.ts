import { withClient } from '../src/log/postgres/database';
import { createPostgresLogStore } from '../src/log/postgres/postgres-log-store';
import { readMigrations } from '../src/log/postgres/migrations';
import { createTestLog, type TestLog } from '../src/testing-log';

// Migrations against a real Postgres: each test on a database of its own.

const logs: TestLog[] = [];

async function freshLog(): Promise<TestLog> {
  const log = await createTestLog('migrations');
  logs.push(log);
  return log;
}

afterAll(async () => {
  await Promise.all(logs.map((log) => log.drop()));
});

async function schemaOf(url: string) {
  return withClient(url, async (sql) => ({
    versions: (
      await sql.query<{ version: number }>(
        'SELECT version FROM hookline_migrations ORDER BY version',
      )
    ).rows.map((r) => r.version),
    tables: (
      await sql.query<{ relname: string }>(
        `SELECT relname FROM pg_class WHERE relkind = 'p' AND relnamespace = 'public'::regnamespace ORDER BY relname`,
      )
    ).rows.map((r) => r.relname),
  }));
}

const EVERY_VERSION = readMigrations().map((m) => m.version);

test('migrate creates the database the URL names when the server has none of that name', async () => {
  const log = await freshLog();
  await log.drop();
  const store = createPostgresLogStore(log.url);
  try {
    await store.migrate();
    expect(await schemaOf(log.url)).toEqual({
      versions: EVERY_VERSION,
      tables: ['attempts', 'deliveries', 'events'],
    });
  } finally {
    await store.close();
  }
});

test('migrate brings an empty database to the newest version, and a second run changes nothing', async () => {
  const log = await freshLog();
  const store = createPostgresLogStore(log.url);
  try {
    await store.migrate();
    const first = await schemaOf(log.url);
    expect(first.versions).toEqual(EVERY_VERSION);
    await store.migrate();
    expect(await schemaOf(log.url)).toEqual(first);
  } finally {
    await store.close();
  }
});

test('concurrent starts apply each migration once', async () => {
  const log = await freshLog();
  await log.drop();
  const stores = Array.from({ length: 4 }, () => createPostgresLogStore(log.url));
  try {
    await Promise.all(stores.map((store) => store.migrate()));
    expect(await schemaOf(log.url)).toEqual({
      versions: EVERY_VERSION,
      tables: ['attempts', 'deliveries', 'events'],
    });
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
});
