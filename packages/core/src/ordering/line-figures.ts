import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';

/** What the metrics say of ordering lines, summed over the shards (never per line: unbounded). */
export interface LineFigures {
  /** Lines with deliveries waiting. */
  lines: number;
  /** Lines whose head has failed at least once and holds the line through its retries. */
  blocked: number;
  /** How long the longest-held head has been its line's head (s); 0 with no line. */
  oldestHeadSeconds: number;
}

/** Reads the shards' line sets (redis/keys.ts `lines`, `blockedLines`), one shard at a time in parallel. */
export async function lineFigures(
  redis: Redis,
  keys: RedisKeys,
  now = Date.now(),
): Promise<LineFigures> {
  const perShard = await Promise.all(
    keys.allShards.map(async (shard) => {
      const [lines, blocked, first] = await Promise.all([
        redis.zcard(keys.lines(shard)),
        redis.zcard(keys.blockedLines(shard)),
        redis.zrange(keys.lines(shard), 0, 0, 'WITHSCORES'),
      ]);
      return { lines, blocked, since: first[1] === undefined ? now : Number(first[1]) };
    }),
  );
  let oldest = now;
  for (const shard of perShard) oldest = Math.min(oldest, shard.since);
  return {
    lines: perShard.reduce((sum, s) => sum + s.lines, 0),
    blocked: perShard.reduce((sum, s) => sum + s.blocked, 0),
    oldestHeadSeconds: Math.max(0, now - oldest) / 1000,
  };
}
