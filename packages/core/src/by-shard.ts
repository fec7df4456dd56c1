import type { RedisKeys } from './keys';

/**
 * Runs `read` once per shard, on the items whose ids are in that shard, all shards at once, and
 * returns its results in the order of `items`. A read of many deliveries or events is one
 * pipeline per shard: on a Redis Cluster a pipeline (like a transaction) must stay in one slot.
 * `read` returns one result per item of its group, in the group's order.
 */
export async function perShard<T, R>(
  keys: RedisKeys,
  items: readonly T[],
  idOf: (item: T) => string,
  read: (group: T[], shard: number) => Promise<R[]>,
): Promise<R[]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const shard = keys.shardOf(idOf(item));
    const group = groups.get(shard);
    if (group) group.push(i);
    else groups.set(shard, [i]);
  });
  const results = new Array<R>(items.length);
  await Promise.all(
    [...groups].map(async ([shard, indexes]) => {
      const out = await read(
        indexes.map((i) => items[i]!),
        shard,
      );
      indexes.forEach((i, n) => {
        results[i] = out[n]!;
      });
    }),
  );
  return results;
}
