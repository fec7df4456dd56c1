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

/** Ignores a connection's 'error' event: the query it broke rejects, and its caller decides. */
const ignore = () => {};

/**
 * A connection of the pool, listened to while it is out. node-postgres emits 'error' on a client
 * whose connection dies (Postgres restarted, the network cut), and the pool listens only to the
 * clients it holds: a checked-out client's error, unheard, would end the process. Give it back
 * with {@link checkin}.
 */
export async function checkout(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  client.on('error', ignore);
  return client;
}

/** Gives a connection back to the pool, closing it when `broken`. */
export function checkin(client: PoolClient, broken = false): void {
  client.off('error', ignore);
  client.release(broken);
}

/** Runs `run` in a transaction on a connection of the pool. */
export async function transaction<T>(
  pool: Pool,
  run: (client: ClientBase) => Promise<T>,
): Promise<T> {
  const client = await checkout(pool);
  try {
    const result = await inTransaction(client, run);
    checkin(client);
    return result;
  } catch (error) {
    // The connection is closed rather than returned: one whose transaction failed may be broken
    // (its ROLLBACK failing too), and the pool must not hand it out again. Failures are rare.
    checkin(client, true);
    throw error;
  }
}

/** The SQLSTATE of a Postgres error (`23505`), or undefined for any other error. */
export function codeOf(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}
