import { useEffect, useState } from 'preact/hooks';

export interface Cursor {
  /** The cursor of the page shown (undefined: the first). */
  current: string | undefined;
  page: number;
  next: (cursor: string) => void;
  previous: () => void;
}

/**
 * Walks a list with the API's `next_cursor`. The API only goes forward, so the cursors of the
 * pages seen are kept to go back. A new `resetKey` (other filters) starts at the first page.
 */
export function useCursor(resetKey: string): Cursor {
  const [stack, setStack] = useState<string[]>([]);
  useEffect(() => setStack([]), [resetKey]);
  return {
    current: stack[stack.length - 1],
    page: stack.length + 1,
    next: (cursor) => setStack((s) => [...s, cursor]),
    previous: () => setStack((s) => s.slice(0, -1)),
  };
}
