import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PREFIX } from './hookline';

/** The deliveries queue's job counts, as BullMQ sees them. */
export async function queueCounts(redis: Redis): Promise<Record<string, number>> {
  const queue = new Queue('deliveries', { connection: redis, prefix: PREFIX });
  try {
    return await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'failed',
      'completed',
    );
  } finally {
    await queue.close();
  }
}

/** Ids of the deliver jobs held right now (BullMQ's active list). */
export function activeJobIds(redis: Redis): Promise<string[]> {
  return redis.lrange(`${PREFIX}:deliveries:active`, 0, -1);
}

/** The status of each delivery, read from Redis directly (cheap enough to poll). */
export async function statuses(redis: Redis, ids: readonly string[]): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hget(`${PREFIX}:whd:${id}`, 'status');
  const rows = (await pipeline.exec()) ?? [];
  return rows.map(([, value]) => (typeof value === 'string' ? value : null));
}

/** Every key in Redis, by SCAN. */
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
