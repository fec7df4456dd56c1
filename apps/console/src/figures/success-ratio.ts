/** Counts of delivery statuses in a sample of recent deliveries. */
export interface StatusCounts {
  pending: number;
  delivered: number;
  failed: number;
  dead: number;
}

export function countStatuses(statuses: Iterable<string>): StatusCounts {
  const counts: StatusCounts = { pending: 0, delivered: 0, failed: 0, dead: 0 };
  for (const status of statuses) if (status in counts) counts[status as keyof StatusCounts]++;
  return counts;
}

/**
 * The share of recent deliveries that got through: delivered / (delivered + failed + dead).
 * Pending ones have no outcome yet and are left out; `failed` counts against (its last
 * attempt failed, whatever the retries may still do). Undefined when nothing has an outcome.
 */
export function successRatio(counts: StatusCounts): number | undefined {
  const settled = counts.delivered + counts.failed + counts.dead;
  return settled === 0 ? undefined : counts.delivered / settled;
}
