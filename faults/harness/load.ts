import { randomBytes } from 'node:crypto';
import { deliveryIdFor } from '@hookline/core';
import { mapLimit, type Api, type EventInput, type Published } from './api';

/** The deliveries of accepted events to endpoints that take every event (an id names both). */
export function deliveryIdsOf(
  published: readonly Published[],
  endpointIds: readonly string[],
): string[] {
  return published.flatMap((p) => endpointIds.map((endpoint) => deliveryIdFor(p.id, endpoint)));
}

/** How many times {@link publishAll} had to send a batch again (after a 503 or no answer). */
export const publishRetries = { count: 0 };

/**
 * Publishes `total` events through the batch API, `parallel` batches at a time, as a careful
 * client does: each batch under its own `Idempotency-Key`, sent again after a 503 or a lost
 * answer (the key makes a batch that was in fact written come back as it was, not twice).
 * Keep `batchSize × (endpoints + 1)` within 2,000: a larger batch is written in several
 * transactions, and only the last one carries the idempotency record.
 */
export async function publishAll(
  api: Api,
  total: number,
  {
    batchSize = 1000,
    parallel = 4,
    event,
  }: { batchSize?: number; parallel?: number; event: (i: number) => EventInput },
): Promise<Published[]> {
  const run = randomBytes(6).toString('hex');
  const batches = Array.from({ length: Math.ceil(total / batchSize) }, (_, b) =>
    Array.from({ length: Math.min(batchSize, total - b * batchSize) }, (_, i) =>
      event(b * batchSize + i),
    ),
  );
  const answers = await mapLimit(batches, parallel, async (events, b) => {
    for (let attempt = 1; ; attempt++) {
      const answer = await api
        .publishBatch(events, { 'idempotency-key': `${run}-${b}` })
        .catch(() => undefined);
      if (answer?.status === 202) return answer.body.data;
      if (attempt >= 10 || (answer && answer.status !== 503 && answer.status !== 409)) {
        throw new Error(
          `batch publish: ${answer?.status ?? 'no answer'} ${JSON.stringify(answer?.body).slice(0, 300)}`,
        );
      }
      // 503: Redis unavailable or slow; 409: the same key still in progress (a lost answer).
      publishRetries.count += 1;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  });
  return answers.flat();
}

/**
 * The steady load of the outage scenarios, started at once: 20-event batches, three requests at
 * a time, 20 ms apart (about a thousand events a second on the 2-core machine).
 */
export function steadyLoad(api: () => Api): Load {
  return new Load(api, {
    batchSize: 20,
    parallel: 3,
    pauseMs: 20,
    event: (i) => ({ name: 'order.filled', data: { i } }),
  });
}

/** What a {@link Load} saw. */
export interface LoadStats {
  /** Events answered 202, with how many deliveries each created. */
  accepted: Published[];
  /** When each of {@link accepted} was answered (ms; same index). */
  acceptedAt: number[];
  /** Answers by status; `error` for a request that got no HTTP answer at all. */
  statuses: Record<string, number>;
  /** When each status was first and last seen. */
  seen: Record<string, { first: number; last: number }>;
  /** Answers other than 202, by status and the error code of the body (`503 unavailable`). */
  refusals: Record<string, number>;
  /** Every request: when it was sent and answered (ms), and its status (or `error`). */
  requests: { sentAt: number; answeredAt: number; status: string }[];
}

/**
 * Publishes in the background, `parallel` requests at a time of `batchSize` events each, until
 * stopped, recording every answer. It never stops on a failure: an outage is what it is for.
 *
 * With `everyMs` it is an open loop instead, as many independent clients are: a request every
 * `everyMs` whether or not the earlier ones were answered (up to `parallel` unanswered), so that
 * requests held up somewhere (by a Redis Cluster master that is failing over) hold up no others.
 */
export class Load {
  readonly stats: LoadStats = {
    accepted: [],
    acceptedAt: [],
    statuses: {},
    seen: {},
    refusals: {},
    requests: [],
  };
  private running = true;
  private readonly loops: Promise<void>[];
  private n = 0;

  constructor(
    private readonly api: () => Api,
    private readonly options: {
      batchSize: number;
      parallel: number;
      pauseMs?: number;
      /** An open loop: a request every this many ms (see above). */
      everyMs?: number;
      event: (i: number) => EventInput;
      /** Headers of each request (an Idempotency-Key). */
      headers?: () => Record<string, string>;
      /** Publishes only while this holds (and waits, polling, while it does not). */
      gate?: () => boolean;
    },
  ) {
    const { everyMs } = options;
    this.loops =
      everyMs === undefined
        ? Array.from({ length: options.parallel }, () => this.loop())
        : [this.openLoop(everyMs)];
  }

  private record(status: string, sentAt: number): void {
    const now = Date.now();
    this.stats.requests.push({ sentAt, answeredAt: now, status });
    this.stats.statuses[status] = (this.stats.statuses[status] ?? 0) + 1;
    const seen = (this.stats.seen[status] ??= { first: now, last: now });
    seen.last = now;
  }

  /** One request, its answer recorded; never throws. */
  private async publishOnce(): Promise<void> {
    const events = Array.from({ length: this.options.batchSize }, () =>
      this.options.event(this.n++),
    );
    const sentAt = Date.now();
    try {
      const answer = await this.api().publishBatch(events, this.options.headers?.());
      this.record(String(answer.status), sentAt);
      if (answer.status === 202) {
        const at = Date.now();
        this.stats.accepted.push(...answer.body.data);
        this.stats.acceptedAt.push(...answer.body.data.map(() => at));
      } else {
        const code = (answer.body as { error?: { code?: string } } | null)?.error?.code;
        const refusal = `${answer.status} ${code ?? '(no error code)'}`;
        this.stats.refusals[refusal] = (this.stats.refusals[refusal] ?? 0) + 1;
        // Back off a little after a refusal, as a sensible client would.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } catch {
      this.record('error', sentAt);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async loop(): Promise<void> {
    // Not before the constructor has returned: a gate may refer to this Load.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.running) {
      if (this.options.gate && !this.options.gate()) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      await this.publishOnce();
      if (this.options.pauseMs)
        await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  private async openLoop(everyMs: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const unanswered = new Set<Promise<void>>();
    while (this.running) {
      if ((!this.options.gate || this.options.gate()) && unanswered.size < this.options.parallel) {
        const request: Promise<void> = this.publishOnce().finally(() => unanswered.delete(request));
        unanswered.add(request);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    await Promise.all(unanswered);
  }

  get acceptedDeliveries(): number {
    return this.stats.accepted.reduce((sum, p) => sum + p.deliveries, 0);
  }

  /**
   * The ids of every delivery accepted so far, to endpoints that take every event; throws if the
   * publishes' answers counted others (an endpoint that does not take every event).
   */
  deliveryIds(endpointIds: readonly string[]): string[] {
    const ids = deliveryIdsOf(this.stats.accepted, endpointIds);
    if (ids.length !== this.acceptedDeliveries)
      throw new Error(
        `${ids.length} delivery ids for ${this.acceptedDeliveries} accepted deliveries`,
      );
    return ids;
  }

  count(status: string): number {
    return this.stats.statuses[status] ?? 0;
  }

  /** Stops publishing and waits for the requests in flight to be answered. */
  async stop(): Promise<LoadStats> {
    this.running = false;
    await Promise.all(this.loops);
    return this.stats;
  }
}
