import type { ProfileRef } from './cpu-profile';
import type { RedisUsage } from './redis-usage';
import type { LatencySummary } from './stats';

/** `count` things in `ms` milliseconds: `perSecond`. */
export interface Throughput {
  count: number;
  ms: number;
  perSecond: number;
}

/** What each case measured; a case that failed leaves its part out and adds an error. */
export interface Results {
  signedPost?: Throughput & { inFlight: number; errors: number };
  bullmqNoop?: Throughput & { concurrency: number };
  peer?: Throughput & {
    /** First delivery to last at the receiver, as for Hookline's drain. */
    firstToLast: Throughput;
    duplicates: number;
    redis: RedisUsage;
    /** CPU the worker's process (the bench's) used per delivery, from the first delivery to the last. */
    cpuMsPerDelivery: number;
  };
  drain?: Throughput & {
    /** First delivery to last at the receiver: the drain without the process start. */
    firstToLast: Throughput;
    /** Dispatcher spawn → first delivery at the receiver. */
    startupMs: number;
    /** Dispatcher spawn → `/healthz` 200. */
    healthyMs: number | null;
    duplicates: number;
    /** How long publishing the events took (batch API, before the dispatcher started). */
    publishMs: number;
    /** What the drain cost Redis (the dispatcher's commands only: nothing else runs then). */
    redis: RedisUsage;
    /** CPU the dispatcher process used per delivery, from the first delivery to the last. */
    cpuMsPerDelivery: number | null;
  };
  memory?: {
    /** `VmHWM` at the end of the drain, bytes. */
    dispatcherPeakRssBytes: number | null;
    producerPeakRssBytes: number | null;
    /** The dispatcher's V8 heap and off-heap memory at the same moment (its /metrics), bytes. */
    dispatcherHeap: {
      totalBytes: number | null;
      usedBytes: number | null;
      externalBytes: number | null;
    } | null;
  };
  /** CPU profiles (`--profile`): the dispatcher's in the drain, the producer's in the publish case. */
  profiles?: { dispatcherDrain?: ProfileRef; producerPublish?: ProfileRef };
  publish?: {
    batch: Throughput & { batches: number; batchSize: number; concurrency: number };
    single: Throughput & { concurrency: number; latencyMs: LatencySummary };
  };
  e2e?: {
    rate: number;
    seconds: number;
    warmupSeconds: number;
    /** Events published in the measured window (warm-up excluded), and how many of them arrived. */
    sent: number;
    received: number;
    duplicates: number;
    /** Publish (bench) → receipt (receiver). */
    latencyMs: LatencySummary;
    /** The publish requests' own latency. */
    publishLatencyMs: LatencySummary;
    /** Events per second actually published during the measured window. */
    achievedRate: number;
  };
  fanout?: {
    endpoints: number;
    /** Publish request sent → the last endpoint's delivery received. */
    ms: number;
    /** How long the publish request itself took (the producer writing every delivery). */
    publishMs: number;
    perSecond: number;
    /** Creating the endpoints through the API. */
    setupMs: number;
  };
}

export type CaseId =
  'signed-post' | 'bullmq-noop' | 'peer' | 'drain' | 'publish' | 'e2e' | 'fanout';

export interface CaseFailure {
  case: CaseId;
  message: string;
}
