import type { ProfileRef } from './cpu-profile';
import type { SinkCounts, SinkStats } from './otlp-sink-client';
import type { RedisUsage } from './redis-usage';
import type { LatencySummary } from './stats';

/** `count` things in `ms` milliseconds: `perSecond`. */
export interface Throughput {
  count: number;
  ms: number;
  perSecond: number;
}

/** One deliverer (Hookline's dispatcher or the bare worker) draining a published backlog. */
export interface DrainFigures extends Throughput {
  /** First delivery to last at the receiver: the drain without the process start. */
  firstToLast: Throughput;
  /** Spawn → first delivery at the receiver. */
  startupMs: number;
  duplicates: number;
  /** How long publishing the backlog took (batch API, before the deliverer started). */
  publishMs: number;
  /** What the drain cost the bench's redis-server, per delivery (INFO commandstats and cpu deltas). */
  redis: RedisUsage;
  /** CPU the deliverer's process used per delivery, from the first delivery to the last. */
  cpuMsPerDelivery: number | null;
  /** The deliverer's peak RSS (`VmHWM`) at the end of the drain, bytes. */
  peakRssBytes: number | null;
  /** The publishing service's (producer, bare pipeline) peak RSS at the same moment, bytes. */
  publisherPeakRssBytes: number | null;
}

/** One master of a cluster drain: where Hookline's hash tags landed, and what it cost that master. */
export interface ClusterMasterFigures {
  port: number;
  slots: [number, number];
  /** The shards (by number) whose hash tag this master serves. */
  shards: number[];
  /** Whether it serves the catalog's hash tag (endpoints, health, rate limits). */
  catalog: boolean;
  /** Deliveries of events in its shards (each shard's event index); null when not known. */
  deliveries: number | null;
  /** Its commands and CPU divided by every delivery of the drain (not only its own). */
  redis: RedisUsage;
}

/** Hookline's drain against a Redis Cluster the bench starts (REDIS_CLUSTER=true, HOOKLINE_SHARDS). */
export interface ClusterDrainFigures extends DrainFigures {
  masters: number;
  shards: number;
  /** Events per publish: each publish goes to one shard, so many small ones spread the backlog. */
  batchSize: number;
  queuePrefix: string;
  /** Each master, in slot order; `redis` (DrainFigures') is all of them added up. */
  perMaster: ClusterMasterFigures[];
}

/** Hookline's dispatcher draining a backlog, with what its own endpoints tell. */
export interface HooklineDrainFigures extends DrainFigures {
  /** Dispatcher spawn → `/healthz` 200. */
  healthyMs: number | null;
  /** Attempts the dispatcher made (its `hookline_delivery_duration_seconds` count): above `count`, retries. */
  attempts: number | null;
  /**
   * Their mean duration, ms (the histogram's sum / count): with deliveries/s, how many were in
   * flight on average (Little's law), against the endpoint's in-flight limit.
   */
  attemptMs: number | null;
  /** The dispatcher's V8 heap and off-heap memory at the end of the drain (its /metrics), bytes. */
  dispatcherHeap: {
    totalBytes: number | null;
    usedBytes: number | null;
    externalBytes: number | null;
  } | null;
}

/** A drain into a RabbitMQ queue (rabbitmq.ts): what the broker holds and what it spent. */
export interface BrokerFigures {
  /** The queue, as the bench declared it (exchange and queue of the same name). */
  queue: string;
  /** Messages the queue held once the deliverer had stopped: every one that arrived, nobody consuming. */
  depth: number;
  /** RabbitMQ's (`beam.smp`) CPU per message over the deliverer's steady window; null if not found. */
  cpuMsPerMessage: number | null;
}

/**
 * An ordered drain's endpoint and its lines. The case fails unless the receiver got every line's
 * deliveries in the order they were published (line-order.ts), so a figure is an ordered one.
 */
export interface OrderingFigures {
  /** The endpoint's `ordering.key`. */
  key: 'endpoint' | 'resource';
  /** Lines the backlog was spread over: resource ids, or 1 for the endpoint's one line. */
  lines: number;
}

/** One signed POST at a time to the receiver, over one keep-alive connection (undici, as the dispatcher sends). */
export interface RoundTripFigures {
  count: number;
  latencyMs: LatencySummary;
  /** 1 / the mean round trip: what one line could do if a delivery cost nothing but its request. */
  perSecond: number;
}

/** What a case with tracing on exported: the OTLP sink's counts over the whole case. */
export interface TracingFigures {
  /** The service the case's figure is about: the dispatcher in the drain, else the producer. */
  service: string;
  /** What it sent. */
  sent: SinkCounts;
  /** What its spans are counted per, and how many of those the case made. */
  per: 'delivery' | 'publish request';
  units: number;
  spansPerUnit: number;
  /** Everything the sink received, every service's. */
  sink: SinkStats;
  /** The sink process's CPU over the case, ms; null without /proc. */
  sinkCpuMs: number | null;
}

/** Batch publishes, then single publishes from many keep-alive clients, against one service. */
export interface PublishFigures {
  batch: Throughput & {
    batches: number;
    batchSize: number;
    concurrency: number;
    /** Per event (one endpoint: one delivery each). */
    redis: RedisUsage;
    /** The service's CPU per event. */
    cpuMsPerEvent: number | null;
  };
  single: Throughput & {
    concurrency: number;
    latencyMs: LatencySummary;
    redis: RedisUsage;
    cpuMsPerEvent: number | null;
  };
}

/** Single publishes at a steady rate with the deliverer running: publish → receipt. */
export interface SteadyFigures {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** Events published in the measured window (warm-up excluded). */
  sent: number;
  /** Of them, answered 202, and received (once at least). */
  accepted: number;
  received: number;
  /** Publishes answered other than 202, or not answered. */
  publishErrors: number;
  /** Accepted but never received within the wait after the window. */
  lost: number;
  duplicates: number;
  /** Publish request sent (the bench's clock) → receipt (the receiver's). */
  latencyMs: LatencySummary;
  /**
   * Each event's scheduled send time → receipt: the same as `latencyMs` while the publisher keeps
   * up; larger when publishes were held back, which `latencyMs` alone would hide.
   */
  scheduledLatencyMs: LatencySummary;
  /** The publish requests' own latency. */
  publishLatencyMs: LatencySummary;
  /** Events per second actually published during the measured window. */
  achievedRate: number;
}

/** One tenant's single publishes at a low steady rate, each to its one endpoint: publish → receipt. */
export interface TrickleFigures {
  rate: number;
  /** Events published after the warm-up, and of them answered 202, and received (once at least). */
  sent: number;
  accepted: number;
  received: number;
  /** Publishes answered other than 202, or not answered. */
  publishErrors: number;
  /** Accepted but never received within the wait after the last publish. */
  lost: number;
  duplicates: number;
  /** Publish request sent (the bench's clock) → receipt (the receiver's). */
  latencyMs: LatencySummary;
}

/** A flood's drain, with the dispatcher's mean attempt: what any delivery takes while it is busy. */
export type FloodFigures = DrainFigures & Pick<HooklineDrainFigures, 'attempts' | 'attemptMs'>;

/**
 * Tenant fairness: tenant B's few events a second, alone and while tenant A's flood drains, and
 * A's drain with and without B beside it. All in one case, so one round.
 */
export interface FairnessFigures {
  /** A's backlog (published at once, before its dispatcher starts). */
  backlog: number;
  /** B alone: no backlog anywhere. */
  alone: TrickleFigures;
  /** A's flood drained with nobody else publishing. */
  floodAlone: FloodFigures;
  /** The same flood with B publishing from its first delivery to its last. */
  flood: FloodFigures;
  /** B's events published during `flood`. */
  duringFlood: TrickleFigures;
}

/** What each case measured; a case that failed leaves its part out and adds an error. */
export interface Results {
  signedPost?: Throughput & { inFlight: number; errors: number };
  bullmqNoop?: Throughput & { concurrency: number };
  /** Reference: the bare worker draining a backlog the bare pipeline published. */
  bareWorker?: DrainFigures;
  drain?: HooklineDrainFigures;
  /** The drain by another build of Hookline (BENCH_BASELINE_ROOT, its checkout); set against `drain`. */
  drainBaseline?: HooklineDrainFigures & { root: string };
  /** The same drain with every span exported (traced-run.ts); its reference is `drain`. */
  drainTraced?: HooklineDrainFigures & { tracing: TracingFigures };
  /**
   * Reference for `drainRabbitmq`: the bare AMQP publisher publishing as many signed messages,
   * confirmed, to a queue of its own. Its `publishMs` is 0 (no backlog: it makes its messages).
   */
  bareAmqpPublisher?: DrainFigures & { broker: BrokerFigures };
  /** The drain with its one endpoint a rabbitmq one: every delivery a message in one queue. */
  drainRabbitmq?: HooklineDrainFigures & { broker: BrokerFigures };
  /** The drain's backlog spread over resource ids, its one endpoint ordered by resource; its reference is `drain`. */
  drainOrdered?: HooklineDrainFigures & { ordering: OrderingFigures };
  /**
   * A smaller backlog on one line (an endpoint ordered by `endpoint`), beside the receiver's round
   * trip measured in the same case: a line moves one delivery at a time.
   */
  drainOrderedOneKey?: HooklineDrainFigures & {
    ordering: OrderingFigures;
    roundTrip: RoundTripFigures;
  };
  /** Reference: the bare pipeline's routes under the same load as the producer's. */
  barePublish?: PublishFigures;
  publish?: PublishFigures;
  /** The same publishes with every span exported (traced-run.ts); its reference is `publish`. */
  publishTraced?: PublishFigures & { tracing: TracingFigures };
  /** Reference: the bare pipeline with the bare worker behind it, at the same rate. */
  bareE2e?: SteadyFigures;
  e2e?: SteadyFigures;
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
  /**
   * Redis's used memory (INFO memory) with nothing moving, before and after `deliveries` were
   * published, delivered, settled and logged: what the traffic left behind in Redis.
   */
  redisMemory?: {
    deliveries: number;
    beforeBytes: number;
    afterBytes: number;
    /** after − before. */
    growthBytes: number;
    /** The last receipt → the streams empty and every finished job gone (written and forgotten). */
    settleMs: number;
  };
  /**
   * Under the end-to-end case's load: a probe delivery's `delivered` change (its last attempt's
   * end) → the first `GET /v1/deliveries` answer that lists it delivered, read every `pollMs`.
   */
  logLag?: {
    rate: number;
    seconds: number;
    pollMs: number;
    /** Probe events accepted, and of their deliveries, those seen listed delivered. */
    probes: number;
    seen: number;
    /** Of the probes past the warm-up. */
    lagMs: LatencySummary;
  };
  /** `GET /v1/deliveries?endpoint_id=…&status=…` on a log of `deliveries` rows, one at a time. */
  logList?: {
    deliveries: number;
    endpoints: number;
    requests: number;
    /** Answers other than 200. */
    errors: number;
    /** Seeding the log (this round; null when an earlier round's seeded log was used again). */
    seedMs: number | null;
    latencyMs: LatencySummary;
  };
  fairness?: FairnessFigures;
  /** Hookline's drain against a 1-master Redis Cluster. */
  clusterDrain1?: ClusterDrainFigures;
  /** The same against 3 masters: the same work, split. */
  clusterDrain3?: ClusterDrainFigures;
  /**
   * CPU profiles (`--profile`), each of one phase: the dispatcher's from the drain's first
   * delivery to its last; the producer's during the batch publishes, and the single ones.
   */
  profiles?: {
    dispatcherDrain?: ProfileRef;
    producerBatch?: ProfileRef;
    producerSingle?: ProfileRef;
    /** The same with tracing on. */
    dispatcherDrainTraced?: ProfileRef;
    /** The dispatcher's in the drain to RabbitMQ. */
    dispatcherDrainRabbitmq?: ProfileRef;
    producerBatchTraced?: ProfileRef;
    producerSingleTraced?: ProfileRef;
  };
}

export type CaseId =
  | 'signed-post'
  | 'bullmq-noop'
  | 'bare-worker'
  | 'drain-baseline'
  | 'drain'
  | 'drain-traced'
  | 'drain-ordered'
  | 'drain-ordered-one-key'
  | 'bare-amqp-publisher'
  | 'drain-rabbitmq'
  | 'bare-publish'
  | 'publish'
  | 'publish-traced'
  | 'bare-e2e'
  | 'e2e'
  | 'fanout'
  | 'redis-memory'
  | 'log-lag'
  | 'log-list'
  | 'fairness'
  | 'cluster-drain-1'
  | 'cluster-drain-3';

export interface CaseFailure {
  case: CaseId;
  message: string;
}
