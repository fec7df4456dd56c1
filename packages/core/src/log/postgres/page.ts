/**
 * A page of rows read `limit + 1` at a time: the extra row only says there is a next page, whose
 * cursor is the last id of this one. Reading one more spares a count or a second query.
 */
export function pageOf<R extends { id: string }>(
  rows: readonly R[],
  limit: number,
): { rows: R[]; next_cursor: string | null } {
  const page = rows.slice(0, limit);
  return {
    rows: page,
    next_cursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
