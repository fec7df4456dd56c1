import type { ChainableCommander, Redis } from 'ioredis';
import { execAll } from './exec';
import type { RedisKeys } from './keys';

/** `items` grouped by the shard of each one's id, each group in the order of `items`. */
export function groupByShard<T>(
  keys: RedisKeys,
  items: readonly T[],
  idOf: (item: T) => string,
): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const shard = keys.shardOf(idOf(item));
    const group = groups.get(shard);
    if (group) group.push(item);
    else groups.set(shard, [item]);
  }
  return groups;
}

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
  const groups = groupByShard(
    keys,
    ids.map((_, i) => i),
    (i) => ids[i]!,
  );
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
