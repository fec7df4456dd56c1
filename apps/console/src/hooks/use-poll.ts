import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** How often an open page asks again: fresh enough to watch a delivery go through. */
export const POLL_MS = 2_500;

export interface Polled<T> {
  data: T | undefined;
  /** The last refusal; cleared by the next answer. The last data stays shown beside it. */
  error: unknown;
  loading: boolean;
  /** Asks again now (after an action), without waiting for the next tick. */
  reload: () => void;
}

/**
 * Loads, then loads again every {@link POLL_MS} while the page is open, one request at a time
 * (the next is scheduled when the last has answered, so a slow server is never piled on) and
 * not while the tab is hidden. New `deps` (another id, filter or page) start over.
 */
export function usePoll<T>(
  load: () => Promise<T>,
  deps: unknown[],
  intervalMs = POLL_MS,
): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ loading: true });
    const tick = async () => {
      timer = undefined;
      if (!document.hidden) {
        try {
          const data = await load();
          if (!stopped) setState({ data, loading: false });
        } catch (error) {
          if (!stopped) setState((s) => ({ data: s.data, error, loading: false }));
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    wake.current = () => {
      if (timer === undefined) return; // a request is out: its answer is fresh enough
      clearTimeout(timer);
      void tick();
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
    // `load` is a new closure each render; `deps` says when it means something new.
  }, deps);

  const reload = useCallback(() => wake.current(), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
