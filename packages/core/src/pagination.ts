import type { PageRequest } from '@hookline/api';
import type { Redis } from 'ioredis';

export type { PageRequest, PageResult } from '@hookline/api';

/**
 * Splits `limit + 1` ids read from Redis into a page and its cursor. Reading one more than the
 * page holds tells whether there is a next page without a second round trip.
 */
export function pageOf(
  ids: string[],
  limit: number,
): { items: string[]; next_cursor: string | null } {
  const items = ids.slice(0, limit);
  return { items, next_cursor: ids.length > limit ? (items[items.length - 1] ?? null) : null };
}

/**
 * One page of an id-ordered sorted set (score 0), oldest first, after the cursor: the ids and the
 * next cursor. The cost is the page, not the set.
 */
export async function pageOfSet(
  redis: Redis,
  key: string,
  page: PageRequest,
): Promise<{ items: string[]; next_cursor: string | null }> {
  const min = page.cursor ? `(${page.cursor}` : '-';
  return pageOf(await redis.zrangebylex(key, min, '+', 'LIMIT', 0, page.limit + 1), page.limit);
}
