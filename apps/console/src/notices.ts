import { useEffect, useState } from 'preact/hooks';
import { describeError } from './api/api-error';

/** What an action did, or why the API refused it. */
export interface Notice {
  id: number;
  kind: 'ok' | 'error';
  text: string;
  /** A value to copy (a secret, a portal link): kept until dismissed. */
  value?: string;
}

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<(all: Notice[]) => void>();

function publish(next: Notice[]): void {
  notices = next;
  for (const listener of listeners) listener(notices);
}

export function dismiss(id: number): void {
  publish(notices.filter((n) => n.id !== id));
}

export function notify(kind: Notice['kind'], text: string, value?: string): void {
  const notice = { id: nextId++, kind, text, value };
  publish([...notices.slice(-4), notice]);
  // Successes fade; errors and values to copy stay until read.
  if (kind === 'ok' && value === undefined) setTimeout(() => dismiss(notice.id), 8_000);
}

export function clearNotices(): void {
  publish([]);
}

export function useNotices(): Notice[] {
  const [all, setAll] = useState(notices);
  useEffect(() => {
    listeners.add(setAll);
    return () => void listeners.delete(setAll);
  }, []);
  return all;
}

/**
 * Runs an action and says how it went: `success(result)` on success, the API's own message
 * on a refusal. Resolves with the result, or undefined when it failed.
 */
export async function act<T>(
  action: () => Promise<T>,
  success: (result: T) => string | { text: string; value: string },
): Promise<T | undefined> {
  try {
    const result = await action();
    const said = success(result);
    if (typeof said === 'string') notify('ok', said);
    else notify('ok', said.text, said.value);
    return result;
  } catch (error) {
    notify('error', describeError(error));
    return undefined;
  }
}
