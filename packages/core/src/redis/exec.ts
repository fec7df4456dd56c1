import type { ChainableCommander } from 'ioredis';

/**
 * Runs a pipeline or transaction and returns its replies, throwing the first error among them.
 * ioredis resolves `exec()` with an error per failed command instead of rejecting: read as
 * "no value", a Redis outage would pass for an unknown id (a 404 instead of a 503) or an empty
 * result (a replay of nothing).
 */
export async function execAll(commands: ChainableCommander): Promise<unknown[]> {
  const results = await commands.exec();
  if (results === null) throw new Error('Redis transaction aborted');
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
