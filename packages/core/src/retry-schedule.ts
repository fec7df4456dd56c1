import { parseDuration } from './duration';

/** The default (README "Settings"): delays before retries 1..7, so 8 attempts in all. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

/** Retries wait the scheduled delay ±20%, so that a burst of failures does not retry in lockstep. */
export const RETRY_JITTER = 0.2;

/** `Retry-After` is honoured up to this long; a receiver cannot park a delivery for a week. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export interface RetrySchedule {
  /** Delays in ms before retry 1, 2, … n. */
  readonly delays: readonly number[];
  /** n + 1: the first try plus one per delay. */
  readonly maxAttempts: number;
}

/** Parses `5s,5m,30m` into a schedule; throws with the offending entry. An empty string means no retries. */
export function parseRetrySchedule(text: string): RetrySchedule {
  const parts = text.trim() === '' ? [] : text.split(',');
  const delays = parts.map((part) => {
    const ms = parseDuration(part);
    if (ms === undefined) throw new Error(`"${part.trim()}" is not a duration like 5s, 5m, 2h`);
    return ms;
  });
  return { delays, maxAttempts: delays.length + 1 };
}

/**
 * How long to wait before the next attempt, after `attemptsMade` attempts in this cycle have
 * failed; `undefined` when the schedule is exhausted. `random` is injectable for tests.
 */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attemptsMade: number,
  options: { retryAfterMs?: number | undefined; random?: () => number } = {},
): number | undefined {
  const base = schedule.delays[attemptsMade - 1];
  if (base === undefined) return undefined;
  const random = options.random ?? Math.random;
  const jittered = Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
  const retryAfter = Math.min(options.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, retryAfter);
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP date) into ms from `now`.
 * RFC 9110 §10.2.3. Returns `undefined` when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
