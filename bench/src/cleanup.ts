/**
 * What must be stopped before the bench exits, however it exits: a normal end, an error, or
 * Ctrl-C. Stoppers run last-in first-out (services before the Redis they use), each at most once.
 */
export class Cleanup {
  private readonly stoppers: { name: string; stop: () => Promise<void> }[] = [];

  /** Registers `stop`; the returned function runs it now (and unregisters it). */
  add(name: string, stop: () => Promise<void>): () => Promise<void> {
    const entry = { name, stop };
    this.stoppers.push(entry);
    return async () => {
      const index = this.stoppers.indexOf(entry);
      if (index === -1) return;
      this.stoppers.splice(index, 1);
      await stop();
    };
  }

  /** Runs every registered stopper, newest first; failures are reported, not thrown. */
  async runAll(): Promise<void> {
    for (let entry = this.stoppers.pop(); entry !== undefined; entry = this.stoppers.pop()) {
      try {
        await entry.stop();
      } catch (error) {
        process.stderr.write(`bench: stopping ${entry.name} failed: ${(error as Error).message}\n`);
      }
    }
  }
}
