import type { BlockedLine } from '@hookline/api';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';
import { parseLineName } from './lines';

/** Blocked lines listed per endpoint at most: a long list helps no one, the metrics count them all. */
export const BLOCKED_LINES_SHOWN = 100;

/**
 * An endpoint's blocked lines — those whose head has failed and holds the line through its
 * retries — longest blocked first, each with its head delivery and how many wait behind it. Read
 * from every shard's blocked set (redis/keys.ts `blockedLines`), which holds only blocked lines.
 */
export async function blockedLinesOf(
  redis: Redis,
  keys: RedisKeys,
  endpointId: string,
): Promise<BlockedLine[]> {
  const prefix = `${endpointId}:`;
  const perShard = await Promise.all(
    keys.allShards.map(async (shard) => {
      const flat = await redis.zrange(keys.blockedLines(shard), 0, -1, 'WITHSCORES');
      const found: { shard: number; name: string; since: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2)
        if (flat[i]!.startsWith(prefix))
          found.push({ shard, name: flat[i]!, since: Number(flat[i + 1]) });
      return found;
    }),
  );
  const blocked = perShard
    .flat()
    .sort((a, b) => a.since - b.since)
    .slice(0, BLOCKED_LINES_SHOWN);
  return Promise.all(
    blocked.map(async ({ shard, name, since }) => {
      const line = keys.line(shard, name);
      const [head, length] = await Promise.all([redis.lindex(line, 0), redis.llen(line)]);
      const { key, value } = parseLineName(name);
      return {
        key: key as BlockedLine['key'],
        value,
        head_delivery_id: head ?? '',
        waiting: Math.max(0, length - 1),
        blocked_since: new Date(since).toISOString(),
      };
    }),
  );
}
