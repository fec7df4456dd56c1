/** Latency figures, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * The `q`-th percentile (0–100) of values sorted ascending, nearest rank: the smallest value
 * with at least q% of the values at or below it. NaN for no values.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    count: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    mean: round(sorted.length === 0 ? Number.NaN : sum / sorted.length),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    p999: round(percentile(sorted, 99.9)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Items per second; rounded to a whole number. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count * 1000) / ms) : Number.NaN;
}

/**
 * The best a queue-backed deliverer could do on this machine if its only costs were the queue
 * and the signed HTTP request, paid one after the other: `1 / (1/post + 1/queue)`.
 */
export function compositeCeiling(signedPostPerSecond: number, queuePerSecond: number): number {
  return Math.round(1 / (1 / signedPostPerSecond + 1 / queuePerSecond));
}
