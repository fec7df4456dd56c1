// The log stores times as timestamptz; changes and searches carry ms since the epoch.

export const DAY_MS = 86_400_000;

/** ms as the ISO 8601 text Postgres reads as a timestamptz (and the API shows). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The UTC day (days since the epoch) of a time in ms: the partition it falls in. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
