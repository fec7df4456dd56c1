import type { EndpointStore, StoredEndpoint } from '@hookline/core';

interface Entry {
  at: number;
  value: Promise<StoredEndpoint | undefined>;
}

/**
 * Endpoints read through a short-lived cache. A hot endpoint is read from Redis at most once per
 * `ttlMs` (default 500 ms) per process, however many deliveries go to it, and any change made
 * through the API (a rotation, a new URL, disabling) reaches every dispatcher within that time.
 * Concurrent misses share one read.
 */
export class EndpointCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: EndpointStore,
    private readonly ttlMs = 500,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string): Promise<StoredEndpoint | undefined> {
    const now = this.now();
    const hit = this.entries.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = this.store.get(id);
    // A failed read is not cached: the next delivery asks Redis again.
    value.catch(() => this.entries.delete(id));
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(id);
    this.entries.set(id, { at: now, value });
    return value;
  }

  /** Forgets an endpoint this process has just changed (disabled), so it sees the change at once. */
  invalidate(id: string): void {
    this.entries.delete(id);
  }
}
