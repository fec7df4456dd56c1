import type { ClientBase, Pool, PoolClient } from 'pg';

/** What a read needs: the pool, or a connection of it. */
export type Db = Pick<Pool, 'query'>;

/** Runs `run` in a transaction on `client`: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(
  client: ClientBase,
  run: (client: ClientBase) => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await run(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** Runs `run` in a transaction on a connection of the pool. */
export async function transaction<T>(
  pool: Pool,
  run: (client: ClientBase) => Promise<T>,
): Promise<T> {
  const client: PoolClient = await pool.connect();
  try {
    const result = await inTransaction(client, run);
    client.release();
    return result;
  } catch (error) {
    // The connection is closed rather than returned: one whose transaction failed may be broken
    // (its ROLLBACK failing too), and the pool must not hand it out again. Failures are rare.
    client.release(true);
    throw error;
  }
}

/** The SQLSTATE of a Postgres error (`23505`), or undefined for any other error. */
export function codeOf(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}
