import { HooklineApiError, HooklineConnectionError } from '@hookline/client';

/** Exit codes: scripts can tell "you called me wrong" from "Hookline said no or was away". */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called (a missing API key, `--data` that is not JSON). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that could not do its job for a reason worth one plain line (a port in use). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** The one line printed on stderr for a failure (after `hookline: `). */
export function describeError(error: unknown): string {
  if (error instanceof HooklineApiError) {
    // The API's message already names the first bad field; the rest follow it.
    const more = error.details.slice(1).map((d) => `${d.path || 'body'}: ${d.message}`);
    return oneLine(
      `${error.message}${more.length > 0 ? `; ${more.join('; ')}` : ''} (${error.code}, HTTP ${error.status})`,
    );
  }
  if (
    error instanceof HooklineConnectionError ||
    error instanceof UsageError ||
    error instanceof CommandError
  )
    return oneLine(error.message);
  return oneLine(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT.usage : EXIT.failed;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
