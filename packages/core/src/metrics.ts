import { AttemptError } from '@hookline/api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LineFigures } from './ordering/line-figures';

// An attempt's result: a status answered (`success`, `http_error`), or how it failed without one.
export const ATTEMPT_RESULTS = ['success', 'http_error', ...AttemptError.options] as const;
export type AttemptResult = (typeof ATTEMPT_RESULTS)[number];
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/**
 * Who published an event: `api`, a caller of the producer's publish routes; `operational`, a
 * dispatcher reporting what an operator must act on (docs/api.md, "Operational events").
 */
export const EVENT_SOURCES = ['api', 'operational'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

// One HTTP attempt: from a few ms (a receiver next door) to the 25 s total limit.
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25];
// Event created → delivered: milliseconds when all is well, up to the retry schedule's day and
// more when a receiver was down (5s, 5m, 30m, 2h, 5h, 10h steps).
const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 18000, 36000,
  86400,
];

export interface MetricsSources {
  /** Job counts per queue and state, read from BullMQ when Prometheus scrapes. */
  queueCounts?: () => Promise<
    Record<string, Partial<Record<(typeof QUEUE_STATES)[number], number>>>
  >;
  /** Size of the dead letter, read when Prometheus scrapes. */
  deadLetterSize?: () => Promise<number>;
  /** Seconds the oldest change not yet in the log has waited (log/log-writer.ts). */
  logLag?: () => Promise<number>;
  /** Ordered endpoints' lines, summed over the shards (ordering/line-figures.ts). */
  lines?: () => Promise<LineFigures>;
}

/** A gauge read from the ordering lines when Prometheus scrapes. */
function lineGauge(
  registry: Registry,
  sources: MetricsSources,
  name: string,
  help: string,
  figure: keyof LineFigures,
) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      if (!sources.lines) return;
      const figures = await sources.lines().catch(() => undefined);
      if (figures) this.set(figures[figure]);
    },
  });
}

/**
 * The metrics the README documents ("Metrics, dashboard and alerts"), on a registry of their own with the default process metrics. Labels are
 * bounded enums only: never an id, a URL or an event name.
 */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const eventsPublished = new Counter({
    name: 'hookline_events_published_total',
    help: 'Events published, by source: api (the producer accepted them) or operational (a dispatcher reported them).',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  // Every source from the start, at 0: a series that appears only on its first event makes
  // rate() and increase() miss that event, and a dashboard shows nothing rather than 0.
  for (const source of EVENT_SOURCES) eventsPublished.inc({ source }, 0);
  return {
    registry,
    eventsPublished,
    deliveryAttempts: new Counter({
      name: 'hookline_delivery_attempts_total',
      help: 'Delivery attempts, by result and destination type.',
      labelNames: ['result', 'destination_type'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'hookline_deliveries_total',
      help: 'Deliveries that reached a final outcome, by destination type.',
      labelNames: ['outcome', 'destination_type'] as const,
      registers: [registry],
    }),
    deliveryDuration: new Histogram({
      name: 'hookline_delivery_duration_seconds',
      help: 'Duration of one delivery attempt, by destination type.',
      labelNames: ['destination_type'] as const,
      buckets: ATTEMPT_BUCKETS,
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'hookline_delivery_latency_seconds',
      help: 'Time from an event being created to its delivery succeeding, by destination type.',
      labelNames: ['destination_type'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: 'hookline_queue_jobs',
      help: 'Jobs in each BullMQ queue, by state (read when scraped).',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        if (!sources.queueCounts) return;
        const counts = await sources.queueCounts().catch(() => undefined);
        if (!counts) return;
        for (const [queue, states] of Object.entries(counts)) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, states[state] ?? 0);
        }
      },
    }),
    deadLetterSize: new Gauge({
      name: 'hookline_dead_letter_size',
      help: 'Deliveries in the dead letter (read when scraped).',
      registers: [registry],
      async collect() {
        if (!sources.deadLetterSize) return;
        const size = await sources.deadLetterSize().catch(() => undefined);
        if (size !== undefined) this.set(size);
      },
    }),
    logLag: new Gauge({
      name: 'hookline_log_lag_seconds',
      help: 'Age of the oldest change not yet written to the log (read when scraped).',
      registers: [registry],
      async collect() {
        if (!sources.logLag) return;
        const lag = await sources.logLag().catch(() => undefined);
        if (lag !== undefined) this.set(lag);
      },
    }),
    orderingLines: lineGauge(
      registry,
      sources,
      'hookline_ordering_lines',
      "Ordered endpoints' lines with deliveries waiting (read when scraped).",
      'lines',
    ),
    orderingLinesBlocked: lineGauge(
      registry,
      sources,
      'hookline_ordering_lines_blocked',
      'Lines whose head delivery has failed and holds the line through its retries (read when scraped).',
      'blocked',
    ),
    orderingOldestHead: lineGauge(
      registry,
      sources,
      'hookline_ordering_oldest_head_seconds',
      "How long the longest-waiting line's head has been at its head (read when scraped).",
      'oldestHeadSeconds',
    ),
    httpRequests: new Counter({
      name: 'hookline_http_requests_total',
      help: 'API requests, by route pattern and status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
