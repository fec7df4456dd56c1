import { isOperationalName } from '@hookline/api';
import {
  createContext,
  createMetrics,
  createRedis,
  LogWriter,
  parseJob,
  metricSources,
  type LogWriterOptions,
  type Config,
  type HooklineContext,
  type Logger,
  type Metrics,
  type PreparedEvent,
  UNSETTLED,
} from '@hookline/core';
import { Worker, type Job } from 'bullmq';
import { createDeliverProcessor } from './deliver';
import { EndpointCache } from './endpoint-cache';
import { listenForEndpointChanges } from './endpoint-changes';
import { EndpointGate, type GateOptions } from './endpoint-gate';
import { createOperationalProcessor } from './operational';
import { InFlightLimit } from './in-flight-limit';
import { createDestinations } from './destinations/registry';
import type { SenderOptions } from './destinations/http/sender';
import type { OAuth2TokensOptions } from './destinations/http/oauth2-tokens';
import type { Resolver } from './ssrf-lookup';

export interface DispatcherOptions {
  config: Config;
  logger: Logger;
  /** Whether the OpenTelemetry SDK runs (core's `startTracing`): then each attempt is a span. */
  tracing?: boolean;
  /**
   * HTTP's per-attempt time limits (tests shorten them); the SPEC's 5 s / 15 s / 25 s by default.
   * A RabbitMQ publish has the same time to connect and the same for the whole attempt.
   */
  sender?: Omit<SenderOptions, 'allowInsecure' | 'resolve'>;
  /**
   * OAuth 2.0 tokens: the time limit of a request, how long a failure is shared, and the clock
   * their lifetimes are read on (oauth2-tokens.ts).
   */
  tokens?: Pick<OAuth2TokensOptions, 'requestTimeoutMs' | 'failureMs' | 'now'>;
  /** Name resolution (tests point names at 127.0.0.1); the system resolver by default. */
  resolve?: Resolver;
  /**
   * Endpoint isolation; `maxInFlight` (the limit every endpoint starts at, and a slow one falls
   * back to) defaults to a quarter of `HOOKLINE_CONCURRENCY` (at least 4), and `maxInFlightFast`
   * (the most an endpoint that keeps answering fast can earn) to three quarters of it, so that a
   * fast endpoint that suddenly hangs leaves a quarter of the slots to the others.
   */
  gate?: Partial<GateOptions>;
  /**
   * How long a job's lock lives without renewal. A dispatcher that dies holding jobs has them
   * taken over after at most `lockDurationMs + stalledIntervalMs`. Default 10 s.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. Default 5 s. */
  stalledIntervalMs?: number;
  /** How long a graceful close waits for in-flight deliveries before giving up. Default 30 s. */
  shutdownTimeoutMs?: number;
  /**
   * How long an endpoint read may be reused when no change to it was announced. Every change made
   * through the API is pushed to every dispatcher as it is made and empties its cached copy, so
   * this does not bound how fresh endpoints are; it bounds only how long a change whose
   * announcement was lost unnoticed (a connection that died silently) goes unseen, at the cost
   * of one read per hot endpoint per TTL. Default 5 s.
   */
  endpointCacheTtlMs?: number;
  /** The log writer's batching and timings (log/log-writer.ts); its defaults otherwise. */
  logWriter?: LogWriterOptions;
  now?: () => number;
  random?: () => number;
}

export interface Dispatcher {
  context: HooklineContext;
  metrics: Metrics;
  /** Starts taking jobs. */
  start(): void;
  /** Stops taking jobs, finishes those in flight (bounded), and closes connections. */
  close(): Promise<void>;
}

/**
 * A dispatcher process's work: BullMQ workers for deliveries and fan-outs, sharing BullMQ's
 * connection for their commands (BullMQ adds a blocking one per worker), the stores on Hookline's
 * (context.ts), with nothing but Redis between this process and the others.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const redis = createRedis({ url: config.redisUrl, cluster: config.redisCluster }, 'worker');
  const context = createContext(config, 'worker', redis);
  const metrics = createMetrics(metricSources(context));
  const destinations = createDestinations({
    http: {
      sender: {
        ...options.sender,
        allowInsecure: config.allowInsecureUrls,
        resolve: options.resolve,
      },
      tokens: {
        now,
        ...options.tokens,
        redis,
        keys: context.keys,
        sealer: context.sealer,
        allowInsecure: config.allowInsecureUrls,
        resolve: options.resolve,
        ca: options.sender?.ca,
      },
      now,
    },
    // A broker's time limits follow HTTP's: to connect, and for the whole attempt (RabbitMQ)
    // or to be answered (NATS).
    rabbitmq: {
      connectTimeoutMs: options.sender?.connectTimeoutMs,
      totalTimeoutMs: options.sender?.totalTimeoutMs,
      allowInsecure: config.allowInsecureUrls,
      resolve: options.resolve,
      ca: options.sender?.ca,
    },
    nats: {
      connectTimeoutMs: options.sender?.connectTimeoutMs,
      publishTimeoutMs: options.sender?.responseTimeoutMs,
      allowInsecure: config.allowInsecureUrls,
      resolve: options.resolve,
      ca: options.sender?.ca,
    },
  });
  const gate = new EndpointGate({
    maxInFlight: Math.max(4, Math.ceil(config.concurrency / 4)),
    maxInFlightFast: Math.max(4, Math.ceil((config.concurrency * 3) / 4)),
    ...options.gate,
  });
  const endpoints = new EndpointCache(context.endpoints, { ttlMs: options.endpointCacheTtlMs });
  const endpointChanges = listenForEndpointChanges({
    redis,
    channel: context.keys.endpointChanges,
    cache: endpoints,
    logger,
    // A changed endpoint's connections close: its destination opens new ones as it now says.
    onChange: (id) => destinations.forget(id),
  });
  const processDeliver = createDeliverProcessor({
    context,
    config,
    endpoints,
    gate,
    destinations,
    metrics,
    logger,
    now,
    random: options.random ?? Math.random,
    tracing: options.tracing ?? false,
  });

  const workerOptions = {
    connection: context.bullmq,
    autorun: false,
    lockDuration: options.lockDurationMs ?? 10_000,
    stalledInterval: options.stalledIntervalMs ?? 5_000,
    // A job whose processor keeps dying with its process is failed after this many stalls, and
    // then dead-lettered below: a poison pill must not crash-loop the fleet forever.
    maxStalledCount: 5,
  };
  const processFanout = async (job: Job) => {
    const data = parseJob('fanout', job.data);
    const { event } = data;
    const created = await context.publisher.completeFanout(
      {
        event: {
          ...(JSON.parse(event.body) as PreparedEvent['event']),
          id: data.event_id,
        },
        body: event.body,
        tenantId: event.tenant_id,
        endpointIds: data.endpoint_ids,
        test: event.test,
        traceparent: event.traceparent,
        tracestate: event.tracestate ?? null,
        orderings: new Map(Object.entries(event.orderings ?? {})),
      },
      now(),
    );
    if (created > 0)
      logger.warn(
        { event: data.event_id, created },
        'finished a fan-out its producer left half-done',
      );
  };
  // Operational events: a report's job becomes an event published to its subscribers. A few at a
  // time are plenty: reports are rare, and a storm of them is bounded by design (deliver.ts).
  const processOperational = createOperationalProcessor({ context, metrics, logger, now });

  // One worker per queue of every shard (README, "Redis Cluster and shards"). HOOKLINE_CONCURRENCY
  // is the process's: one limit keeps the deliveries in flight, over every shard, at the setting.
  // Each shard's worker may take that many jobs itself (the rest of what it took waits its turn
  // here, its lock renewed), so that a shard whose deliveries hang (a black-hole endpoint) never
  // starves: with a worker per shard capped at its share, a Redis Cluster run of the isolation
  // test (apps/dispatcher/test/delivery.redis.test.ts) left healthy deliveries waiting behind
  // hung ones until those timed out.
  const perShard = config.concurrency;
  const inFlight = new InFlightLimit(config.concurrency);
  const deliverOne = (job: Job, token?: string) => inFlight.run(() => processDeliver(job, token));
  const shardWorkers = context.queues.shards.map((queues) => {
    const prefix = context.keys.shard(queues.shard);
    return {
      queues,
      deliveries: new Worker(queues.deliveries.name, deliverOne, {
        ...workerOptions,
        prefix,
        concurrency: perShard,
      }),
      fanout: new Worker(queues.fanout.name, processFanout, {
        ...workerOptions,
        prefix,
        concurrency: 1,
      }),
      operational: new Worker(queues.operational.name, processOperational, {
        ...workerOptions,
        prefix,
        concurrency: 4,
      }),
    };
  });
  const catalogOperational = new Worker(
    context.queues.catalog.operational.name,
    processOperational,
    { ...workerOptions, prefix: context.keys.catalog, concurrency: 4 },
  );
  const workers = [
    ...shardWorkers.flatMap((s) => [s.deliveries, s.fanout, s.operational]),
    catalogOperational,
  ];

  // BullMQ gave up on a job: its processor kept throwing (Redis failing mid-job), or it stalled
  // more than maxStalledCount times. The delivery must not stay pending with no job behind it,
  // so it goes to the dead letter, where a replay finds it.
  const deadLetterFailedJob = (job: Job, why: string) => {
    let data;
    try {
      data = parseJob('deliver', job.data);
    } catch {
      return;
    }
    logger.error({ job: job.id, why }, 'deliver job failed in BullMQ; dead-lettering its delivery');
    context.inFlight
      .stateOf(data)
      .then((state) =>
        state
          ? context.inFlight.record(
              state,
              { to: 'dead', now: now(), from: UNSETTLED, deadLetter: true },
              // An operational event's own delivery reports nothing: no report about a report.
              { report: !isOperationalName(data.name) },
            )
          : 'gone',
      )
      .then(async (verdict) => {
        if (verdict !== 'ok') return;
        // Its endpoint, when it still has one, names the destination type; else `unknown`.
        const endpoint = await endpoints.get(data.endpoint_id).catch(() => undefined);
        metrics.deliveries.inc({ outcome: 'dead', destination_type: endpoint?.type ?? 'unknown' });
      })
      .catch((err: unknown) => logger.error({ err }, 'could not dead-letter a failed job'));
  };
  for (const { queues, deliveries } of shardWorkers) {
    deliveries.on('failed', (job, error) => {
      if (job?.finishedOn !== undefined && job.finishedOn !== null)
        deadLetterFailedJob(job, error.message);
    });
    // A job failed for stalling too often is reported only as 'stalled': look at where it went.
    deliveries.on('stalled', (jobId) => {
      queues.deliveries
        .getJob(jobId)
        .then(async (job) => {
          if (job && (await job.isFailed())) deadLetterFailedJob(job, 'stalled too many times');
        })
        .catch((err: unknown) => logger.error({ err }, 'could not inspect a stalled job'));
    });
  }
  for (const worker of workers) {
    worker.on('error', (error) => logger.error({ err: error }, `worker ${worker.name} error`));
  }

  // The change stream into the log: one writer per dispatcher process, so writers scale out with
  // dispatchers; they share each stream's consumer group (log/log-writer.ts).
  const logWriter = new LogWriter(
    context.redis,
    context.keys,
    context.log,
    logger,
    config.retentionMs,
    options.logWriter,
  );

  let closing: Promise<void> | undefined;
  return {
    context,
    metrics,
    start() {
      logWriter.start();
      for (const worker of workers) {
        worker
          .run()
          .catch((error: unknown) => logger.error({ err: error }, `worker ${worker.name} stopped`));
      }
    },
    close() {
      closing ??= (async () => {
        const timeoutMs = options.shutdownTimeoutMs ?? 30_000;
        let timer: NodeJS.Timeout | undefined;
        const graceful = Promise.all(workers.map((worker) => worker.close()));
        const timedOut = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          // Whatever is still in flight keeps its lock until it expires, then another
          // dispatcher takes it over: at least once still holds, at the cost of a duplicate.
          logger.warn({ timeoutMs }, 'in-flight deliveries did not finish in time; forcing close');
          await Promise.allSettled(workers.map((worker) => worker.close(true)));
        }
        await destinations.close();
        await logWriter.close();
        await endpointChanges.close();
        await context.close();
      })();
      return closing;
    },
  };
}
