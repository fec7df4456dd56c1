import type { ChainableCommander, Redis } from 'ioredis';
import { execAll } from './exec';
import type { RedisKeys } from './keys';

/**
 * Reads many events or deliveries by id in one pipeline per shard, all shards at once (on a
 * Redis Cluster a pipeline, like a transaction, must stay in one slot). `queue` adds the same
 * commands for each id; the answer holds, in the order of `ids`, the replies of each id's commands.
 */
export async function readPerShard(
  redis: Redis,
  keys: RedisKeys,
  ids: readonly string[],
  queue: (pipeline: ChainableCommander, id: string) => void,
): Promise<unknown[][]> {
  const groups = new Map<number, number[]>();
  ids.forEach((id, i) => {
    const shard = keys.shardOf(id);
    const group = groups.get(shard);
    if (group) group.push(i);
    else groups.set(shard, [i]);
  });
  const results = new Array<unknown[]>(ids.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = redis.pipeline();
      for (const i of indexes) queue(pipeline, ids[i]!);
      const replies = await execAll(pipeline);
      const perId = replies.length / indexes.length;
      indexes.forEach((i, n) => {
        results[i] = replies.slice(n * perId, (n + 1) * perId);
      });
    }),
  );
  return results;
}
