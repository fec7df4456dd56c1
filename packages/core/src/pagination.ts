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
