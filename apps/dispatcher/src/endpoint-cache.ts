import type { EndpointStore, StoredEndpoint } from '@hookline/core';

interface Entry {
  at: number;
  value: Promise<StoredEndpoint | undefined>;
}

export interface EndpointCacheOptions {
  /**
   * How long a read may be reused when no change to it has been announced. Default 5 s. Changes
   * are pushed (see `endpoint-changes.ts`), so this is only the bound on a change whose
   * announcement was lost without the subscriber noticing (a connection that died silently).
   */
  ttlMs?: number;
  /** Endpoints kept at most; the oldest read goes first. Default 10,000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Endpoints read through a cache that every change made through the API empties at once: a hot
 * endpoint is read from Redis once however many deliveries go to it, and a rotation, a new URL
 * or a disable is seen by the next attempt. Concurrent misses share one read.
 *
 * It caches only while {@link setListening} says the changes channel is subscribed: a change
 * made while nobody listens would never reach it.
 */
export class EndpointCache {
  // An entry holds the read's promise from the moment the read is sent, not its result once it
  // arrives. So an invalidation that comes while a read is in flight removes that read with the
  // entry, and the stale answer is never stored after it: the next caller reads again. The
  // promise's identity is the entry's version.
  private readonly entries = new Map<string, Entry>();
  private listening = false;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<EndpointStore, 'get'>,
    options: EndpointCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(id: string): Promise<StoredEndpoint | undefined> {
    const now = this.now();
    const hit = this.entries.get(id);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = this.store.get(id);
    if (!this.listening) {
      this.entries.delete(id);
      return value;
    }
    // A failed read is not cached: the next delivery asks Redis again. Only this read's own
    // entry goes; a newer read stored after an invalidation stays.
    value.catch(() => {
      if (this.entries.get(id)?.value === value) this.entries.delete(id);
    });
    if (this.entries.size >= this.maxEntries && !this.entries.has(id)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(id);
    this.entries.set(id, { at: now, value });
    return value;
  }

  /** Forgets an endpoint that has just changed, including a read of it still in flight. */
  invalidate(id: string): void {
    this.entries.delete(id);
  }

  /**
   * Empties the cache and says whether changes are heard from now on. Called with `false` when
   * the changes subscription drops (nothing is cached until it is back) and with `true` once it
   * is in place again (whatever was announced meanwhile was missed, hence the emptying).
   */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.entries.clear();
  }
}
