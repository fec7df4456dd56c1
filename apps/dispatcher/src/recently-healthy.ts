/**
 * The endpoints this process has lately told Redis are healthy. An endpoint's health (its failure
 * streak, `commands/health-1.lua`) is shared by every dispatcher; a success clears the streak.
 * Clearing a streak that is not there is most of the work of a busy healthy endpoint's health
 * script: one script call per delivery for nothing. So a success is counted in Redis only when
 * this process has not counted one for the endpoint within `ttlMs`, or has counted a failure
 * since; a failure is always counted.
 *
 * The cost: a streak another dispatcher starts is cleared by this one's successes up to `ttlMs`
 * late. If only failures follow, the streak then seems to have started up to `ttlMs` earlier than
 * it did, and the endpoint is disabled that much sooner than `HOOKLINE_DISABLE_AFTER` (5 days by
 * default) says: seconds out of days.
 */
export class RecentlyHealthy {
  // endpoint id → when a success was last counted; oldest first (re-set on each count).
  private readonly countedAt = new Map<string, number>();

  constructor(
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** Whether a success for the endpoint must be counted in Redis now. */
  mustCountSuccess(endpointId: string, now: number): boolean {
    const at = this.countedAt.get(endpointId);
    return at === undefined || now - at >= this.ttlMs;
  }

  /** Records what was counted in Redis for the endpoint. */
  counted(endpointId: string, health: 'success' | 'failure', now: number): void {
    this.countedAt.delete(endpointId);
    if (health === 'failure') return;
    if (this.countedAt.size >= this.maxEntries) {
      const oldest = this.countedAt.keys().next().value;
      if (oldest !== undefined) this.countedAt.delete(oldest);
    }
    this.countedAt.set(endpointId, now);
  }
}
