import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { checkin, checkout, inTransaction } from './db';

// The schema's versions are the files of migrations/, `<version>_<name>.sql`, applied in order,
// each in a transaction of its own with its row in hookline_migrations, so a failed one leaves
// neither. Every process runs this at start: a session advisory lock makes the second of two
// concurrent starts wait and then find nothing to do. The build copies migrations/ beside the
// compiled code (package.json, `build`).

/** The advisory lock key of migrations (an arbitrary constant, "hlmigrat" as bytes). */
const MIGRATION_LOCK = 0x686c6d6967726174n;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations in migrations/, oldest first. */
export function readMigrations(dir = path.join(__dirname, 'migrations')): Migration[] {
  return readdirSync(dir)
    .flatMap((file) => {
      const match = /^(\d+)_(.+)\.sql$/.exec(file);
      if (!match) return [];
      const sql = readFileSync(path.join(dir, file), 'utf8');
      return [{ version: Number(match[1]), name: match[2]!, sql }];
    })
    .sort((a, b) => a.version - b.version);
}

/** Applies the migrations the database has not seen yet; returns the versions it applied. */
export async function migrate(pool: Pool, migrations = readMigrations()): Promise<number[]> {
  const client = await checkout(pool);
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS hookline_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM hookline_migrations',
      );
      const applied = new Set(rows.map((row) => row.version));
      const pending = migrations.filter((m) => !applied.has(m.version));
      for (const migration of pending) {
        await inTransaction(client, async (tx) => {
          await tx.query(migration.sql);
          await tx.query('INSERT INTO hookline_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
        });
      }
      return pending.map((m) => m.version);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A failed migration's connection may hold the lock or be dead: closed, not reused.
    checkin(client, broken);
  }
}
