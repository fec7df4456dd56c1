/**
 * Isolation between endpoints, per dispatcher process. Two mechanisms:
 *
 * - An in-flight limit per endpoint (default: a quarter of the process's concurrency). When an
 *   endpoint is at its limit and answering quickly, a delivery waits briefly for a free slot;
 *   when it is slow (its oldest request has been out for longer than `slowMs`), the delivery is
 *   deferred at once, so a black-hole endpoint holds at most `limit` of the process's slots and
 *   every other endpoint keeps the rest.
 * - A circuit breaker: after `tripAfter` consecutive timeouts or connection failures, the
 *   endpoint's deliveries are deferred for a cool-down (doubling from `coolDownMs` up to
 *   `maxCoolDownMs`), then one probe is let through; a success closes the circuit.
 *
 * Deferring costs no attempt: a delivery's attempts count only requests actually sent.
 */
export interface GateOptions {
  maxInFlight: number;
  slowMs?: number;
  waitMs?: number;
  tripAfter?: number;
  coolDownMs?: number;
  maxCoolDownMs?: number;
  now?: () => number;
}

interface EndpointState {
  inFlight: Set<number>;
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
  private readonly slowMs: number;
  private readonly waitMs: number;
  private readonly tripAfter: number;
  private readonly coolDownMs: number;
  private readonly maxCoolDownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: GateOptions) {
    this.slowMs = options.slowMs ?? 250;
    this.waitMs = options.waitMs ?? 250;
    this.tripAfter = options.tripAfter ?? 5;
    this.coolDownMs = options.coolDownMs ?? 5_000;
    this.maxCoolDownMs = options.maxCoolDownMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  private state(id: string): EndpointState {
    let state = this.states.get(id);
    if (!state) {
      state = {
        inFlight: new Set(),
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

  private isSlow(state: EndpointState, now: number): boolean {
    for (const started of state.inFlight) if (now - started > this.slowMs) return true;
    return false;
  }

  /** Asks to send one delivery to `endpointId` now. */
  async acquire(endpointId: string): Promise<GateDecision> {
    const state = this.state(endpointId);
    let now = this.now();
    if (state.openUntil > now) return this.deferUntil(state.openUntil);
    const halfOpen = state.openUntil > 0;
    if (halfOpen && state.probing) return this.deferUntil(now + Math.min(state.coolDownMs, 5_000));
    if (state.inFlight.size >= this.options.maxInFlight) {
      if (this.isSlow(state, now)) return this.deferUntil(now + 1_000);
      const freed = await new Promise<boolean>((resolve) => {
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
      now = this.now();
      if (!freed || state.inFlight.size >= this.options.maxInFlight)
        return this.deferUntil(now + 1_000);
    }
    const token = now + Math.random();
    state.inFlight.add(token);
    if (halfOpen) state.probing = true;
    return {
      go: true,
      release: (outcome) => {
        state.inFlight.delete(token);
        if (halfOpen) state.probing = false;
        if (outcome === 'success') {
          state.consecutiveFailures = 0;
          state.openUntil = 0;
          state.coolDownMs = this.coolDownMs;
        } else if (outcome === 'failure') {
          state.consecutiveFailures += 1;
          if (halfOpen || state.consecutiveFailures >= this.tripAfter) {
            state.openUntil = this.now() + state.coolDownMs;
            state.coolDownMs = Math.min(state.coolDownMs * 2, this.maxCoolDownMs);
          }
        }
        state.waiters.shift()?.();
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
