const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses `250ms`, `5s`, `30m`, `2h`, `7d` into milliseconds.
 * Returns `undefined` for anything else, so callers can say what was wrong in their own terms.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const ms = Number(amount) * (UNITS[unit as string] as number);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Formats milliseconds back into the largest exact unit (`300000` → `5m`), for logs and docs. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
