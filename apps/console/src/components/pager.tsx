import type { Cursor } from '../hooks/use-cursor';

/** Previous and next page of a cursor-paginated list. */
export function Pager({ cursor, next }: { cursor: Cursor; next: string | null | undefined }) {
  if (cursor.page === 1 && !next) return null;
  return (
    <div class="pager">
      <button type="button" class="button" disabled={cursor.page === 1} onClick={cursor.previous}>
        ← Previous
      </button>
      <span class="muted">page {cursor.page}</span>
      <button
        type="button"
        class="button"
        disabled={!next}
        onClick={() => next && cursor.next(next)}
      >
        Next →
      </button>
    </div>
  );
}
