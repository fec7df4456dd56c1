/**
 * Isolation between endpoints, per dispatcher process. Two mechanisms:
 *
 * - An in-flight limit per endpoint that an endpoint earns by answering fast. Each endpoint starts
 *   at the guarded limit `maxInFlight` (default: a quarter of the process's concurrency). While
 *   that limit is what holds it back and its answers come back within `slowMs`, each such answer
 *   raises its limit by one, up to `maxInFlightFast` (default: three quarters of the process's
 *   concurrency). It falls
 *   back to `maxInFlight` at once on a timeout or connection failure, on an answer slower than
 *   `slowMs`, or as soon as one of its requests has been out for longer than `slowMs`. When an
 *   endpoint is at its limit and answering quickly, a delivery waits briefly (`waitMs`) for a free
 *   slot; when it is slow, the delivery is deferred at once unless the endpoint holds fewer than
 *   `maxInFlight`. So an endpoint that is slow, or never answers, from the start holds at most
 *   `maxInFlight` of the process's slots, and every other endpoint keeps the rest.
 *
 *   Worst case: an endpoint that has earned a limit L and then hangs has up to L requests out
 *   before the first of them is judged slow, and those hold their slots until they time out (the
 *   sender's limits: up to 25 s by default). L is never above `maxInFlightFast`, so with the
 *   defaults a fast endpoint that suddenly hangs holds at most three quarters of the process's
 *   slots for one timeout, and the last quarter always serves the other endpoints; it gets no
 *   request beyond `maxInFlight` once the first is judged slow, and as its
 *   requests fail it stays at `maxInFlight` until the circuit below opens. An endpoint can only
 *   earn a limit by answering fast while using all of it, so L is what the endpoint has just
 *   shown it answers, not what a trickle of requests happened to add up to.
 * - A circuit breaker: after `tripAfter` consecutive timeouts or connection failures, the
 *   endpoint's deliveries are deferred for a cool-down of `coolDownMs`, then one probe is let
 *   through; a success closes the circuit, a failure reopens it for twice the last cool-down (up
 *   to `maxCoolDownMs`).
 *
 * Deferring costs no attempt: a delivery's attempts count only requests actually sent.
 */
export interface GateOptions {
  /** The guarded in-flight limit: where every endpoint starts, and what a slow one falls back to. */
  maxInFlight: number;
  /** The most an endpoint that keeps answering fast can earn. Default `maxInFlight` (no growth). */
  maxInFlightFast?: number;
  /** How long a request may be out before its endpoint counts as slow. Default 250 ms. */
  slowMs?: number;
  /** How long a delivery waits for a slot at an endpoint that is at its limit but fast. */
  waitMs?: number;
  tripAfter?: number;
  coolDownMs?: number;
  maxCoolDownMs?: number;
  now?: () => number;
}

interface EndpointState {
  /** Tokens of the requests out, in the order they were sent (a Set keeps insertion order). */
  inFlight: Set<number>;
  /** The in-flight limit earned so far, from `maxInFlight` to `maxInFlightFast`. */
  limit: number;
  waiters: (() => void)[];
  consecutiveFailures: number;
  openUntil: number;
  coolDownMs: number;
  probing: boolean;
}

export type GateDecision =
  | { go: true; release: (outcome: 'success' | 'failure' | 'neutral') => void }
  | { go: false; retryAt: number };

export class EndpointGate {
  private readonly states = new Map<string, EndpointState>();
  private readonly maxInFlight: number;
  private readonly maxInFlightFast: number;
  private readonly slowMs: number;
  private readonly waitMs: number;
  private readonly tripAfter: number;
  private readonly coolDownMs: number;
  private readonly maxCoolDownMs: number;
  private readonly now: () => number;

  constructor(options: GateOptions) {
    this.maxInFlight = options.maxInFlight;
    this.maxInFlightFast = Math.max(options.maxInFlightFast ?? 0, options.maxInFlight);
    this.slowMs = options.slowMs ?? 250;
    this.waitMs = options.waitMs ?? 250;
    this.tripAfter = options.tripAfter ?? 5;
    this.coolDownMs = options.coolDownMs ?? 5_000;
    this.maxCoolDownMs = options.maxCoolDownMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  /** The endpoint's current in-flight limit (what it has earned, or `maxInFlight`). */
  limit(endpointId: string): number {
    return this.states.get(endpointId)?.limit ?? this.maxInFlight;
  }

  private state(id: string): EndpointState {
    let state = this.states.get(id);
    if (!state) {
      state = {
        inFlight: new Set(),
        limit: this.maxInFlight,
        waiters: [],
        consecutiveFailures: 0,
        openUntil: 0,
        coolDownMs: this.coolDownMs,
        probing: false,
      };
      this.states.set(id, state);
    }
    return state;
  }

  /** Spreads deferred deliveries over a second so they do not all come back at once. */
  private deferUntil(at: number): { go: false; retryAt: number } {
    return { go: false, retryAt: at + Math.floor(Math.random() * 1_000) };
  }

  /** Whether the endpoint's oldest request (the first token) has been out longer than `slowMs`. */
  private isSlow(state: EndpointState, now: number): boolean {
    const oldest = state.inFlight.values().next();
    return !oldest.done && now - oldest.value > this.slowMs;
  }

  /** As {@link isSlow}; a slow endpoint also loses whatever it earned above `maxInFlight`. */
  private fallBackIfSlow(state: EndpointState, now: number): boolean {
    const slow = this.isSlow(state, now);
    if (slow) state.limit = this.maxInFlight;
    return slow;
  }

  /** Waits up to `waitMs` for a release to make room; false when none did in time. */
  private waitForSlot(state: EndpointState): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        state.waiters = state.waiters.filter((w) => w !== wake);
        resolve(false);
      }, this.waitMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      state.waiters.push(wake);
    });
  }

  /** Asks to send one delivery to `endpointId` now. */
  async acquire(endpointId: string): Promise<GateDecision> {
    const state = this.state(endpointId);
    let now = this.now();
    if (state.openUntil > now) return this.deferUntil(state.openUntil);
    const halfOpen = state.openUntil > 0;
    if (halfOpen && state.probing) return this.deferUntil(now + Math.min(state.coolDownMs, 5_000));
    const slow = this.fallBackIfSlow(state, now);
    if (state.inFlight.size >= state.limit) {
      if (slow) return this.deferUntil(now + 1_000);
      const freed = await this.waitForSlot(state);
      now = this.now();
      // The endpoint may have turned slow while this delivery waited.
      this.fallBackIfSlow(state, now);
      if (!freed || state.inFlight.size >= state.limit) return this.deferUntil(now + 1_000);
    }
    const started = now;
    const token = now + Math.random();
    state.inFlight.add(token);
    if (halfOpen) state.probing = true;
    return {
      go: true,
      release: (outcome) => {
        // Only a limit that holds the endpoint back grows: an endpoint earns slots by answering
        // fast while using all it has, never by a trickle of requests adding up.
        const full = state.inFlight.size >= state.limit || state.waiters.length > 0;
        state.inFlight.delete(token);
        const finished = this.now();
        if (halfOpen) state.probing = false;
        if (outcome === 'failure' || finished - started > this.slowMs) {
          state.limit = this.maxInFlight;
        } else if (!this.fallBackIfSlow(state, finished) && full) {
          // One more slot per fast answer, not double: each extra request out is backed by a
          // fast answer that just came back, so a hang strands at most the limit already
          // shown to answer. Across a round trip in which every answer is fast this still
          // doubles the limit (as TCP's slow start does): 25 reaches the default 75 in two.
          state.limit = Math.min(state.limit + 1, this.maxInFlightFast);
        }
        if (outcome === 'success') {
          state.consecutiveFailures = 0;
          state.openUntil = 0;
          state.coolDownMs = this.coolDownMs;
        } else if (outcome === 'failure') {
          state.consecutiveFailures += 1;
          // While the circuit is open only its probe (the one request sent half-open) reopens
          // it and doubles the cool-down: requests sent before it opened that time out after
          // (up to the limit's worth of them, 25 s later) say nothing new about the endpoint.
          const open = state.openUntil > 0;
          if (open ? halfOpen : state.consecutiveFailures >= this.tripAfter) {
            state.openUntil = finished + state.coolDownMs;
            state.coolDownMs = Math.min(state.coolDownMs * 2, this.maxCoolDownMs);
          }
        }
        // Wake as many waiters as there are free slots: a grown limit frees two at once.
        let free = state.limit - state.inFlight.size;
        while (free > 0 && state.waiters.length > 0) {
          state.waiters.shift()?.();
          free -= 1;
        }
        // Forgetting an idle endpoint forgets the limit it earned too, which keeps memory to the
        // endpoints in use; an endpoint with nothing out is not using that limit, and earns it
        // back within two round trips.
        if (
          state.inFlight.size === 0 &&
          state.waiters.length === 0 &&
          state.openUntil === 0 &&
          state.consecutiveFailures === 0
        ) {
          this.states.delete(endpointId);
        }
      },
    };
  }
}
