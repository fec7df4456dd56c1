import type { HooklineContext, RedisKeys } from '@hookline/core';
import { Queue, type JobState } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * What the reads below need of a deployment: a connection (a redis-server's, or a Cluster client
 * typed as one, as Hookline's own code does) and where Hookline keeps what.
 */
export interface Store {
  redis: Redis;
  keys: RedisKeys;
}

const COUNTED = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/** A shard's deliveries queue, for reads (closed by the caller). */
function deliveriesQueue({ redis, keys }: Store, shard: number): Queue {
  return new Queue('deliveries', { connection: redis, prefix: keys.shard(shard) });
}

/** The deliveries queues' job counts, as BullMQ sees them, summed over the shards. */
export async function queueCounts(store: Store): Promise<Record<string, number>> {
  const perShard = await Promise.all(
    store.keys.allShards.map(async (shard) => {
      const queue = deliveriesQueue(store, shard);
      try {
        return await queue.getJobCounts(...COUNTED);
      } finally {
        await queue.close();
      }
    }),
  );
  const sums: Record<string, number> = Object.fromEntries(COUNTED.map((state) => [state, 0]));
  for (const counts of perShard)
    for (const [state, n] of Object.entries(counts)) sums[state] = (sums[state] ?? 0) + n;
  return sums;
}

/** Where the deliver job of a delivery is (its shard's queue), as BullMQ says. */
export async function jobState(store: Store, deliveryId: string): Promise<JobState | 'unknown'> {
  const queue = deliveriesQueue(store, store.keys.shardOf(deliveryId));
  try {
    return await queue.getJobState(deliveryId);
  } finally {
    await queue.close();
  }
}

/** Ids of the deliver jobs held right now (BullMQ's active lists, of every shard). */
export async function activeJobIds({ redis, keys }: Store): Promise<string[]> {
  const lists = await Promise.all(
    keys.allShards.map((shard) => redis.lrange(`${keys.shard(shard)}:deliveries:active`, 0, -1)),
  );
  return lists.flat();
}

/**
 * The status of each delivery as Hookline has it: its job's while it is in flight, else the
 * log's (a job goes only once the log holds its delivery's final change, so one of the two always
 * has it); null for a delivery neither knows.
 */
export async function statuses(
  context: Pick<HooklineContext, 'inFlight' | 'log'>,
  ids: readonly string[],
): Promise<(string | null)[]> {
  const moving = await context.inFlight.statuses(ids);
  const settled = ids.filter((_, i) => moving[i] === undefined);
  const logged = new Map(
    (await context.log.getDeliveries(settled)).map((d) => [d.id, d.status] as const),
  );
  return ids.map((id, i) => moving[i] ?? logged.get(id) ?? null);
}

/** Every key in Redis, by SCAN (of one redis-server: a Cluster client scans one node only). */
export async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 5_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}
