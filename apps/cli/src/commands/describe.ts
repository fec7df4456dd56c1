import type { Attempt, Delivery } from '@hookline/client';

/** An attempt's outcome in a word: its HTTP status, or its error kind. */
export function result(attempt: Attempt | undefined): string {
  if (!attempt) return '-';
  return attempt.status_code !== null ? String(attempt.status_code) : (attempt.error ?? '?');
}

export function lastAttempt(delivery: Delivery): Attempt | undefined {
  return delivery.attempts[delivery.attempts.length - 1];
}

/** The first line of a response excerpt, cut to `max` characters. */
export function excerpt(text: string, max = 60): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
