/**
 * At most `limit` calls of {@link run} at once in this process; the rest wait their turn, first
 * come first served. The dispatcher runs one BullMQ worker per shard, each with a share of
 * HOOKLINE_CONCURRENCY rounded up; this keeps the process's deliveries in flight at the setting
 * itself (README, "Redis Cluster and shards").
 */
export class InFlightLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    else this.running += 1;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
