import { isOperationalName, type Attempt, type EndpointType } from '@hookline/api';
import {
  deliveryState,
  UNSETTLED,
  initialState,
  isSettled,
  nextRetryDelay,
  parseJob,
  type Config,
  type DeliveryState,
  type HooklineContext,
  type Logger,
  type Metrics,
  type StoredEndpoint,
} from '@hookline/core';
import { DelayedError, type Job } from 'bullmq';
import type { EndpointCache } from './endpoint-cache';
import type { EndpointGate } from './endpoint-gate';
import { startAttemptSpan, type AttemptTrace } from './attempt-span';
import type { AttemptResult } from './destinations/destination';
import type { Destinations } from './destinations/registry';
import { reportDisabled } from './operational';
import { RecentlyHealthy } from './recently-healthy';

export interface DeliverDeps {
  context: HooklineContext;
  config: Pick<Config, 'retrySchedule'>;
  endpoints: EndpointCache;
  gate: EndpointGate;
  /** The destination of each endpoint type: what an attempt is, and what its outcome means. */
  destinations: Destinations;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  random: () => number;
  /** Whether the OpenTelemetry SDK runs: then each attempt is a span (attempt-span.ts). */
  tracing: boolean;
}

/** A retry due within this much is taken now rather than deferred again. */
const EARLY_TOLERANCE_MS = 1_000;

/**
 * Processes one `deliver` job: load, check, sign, send, record — and on failure schedule the
 * retry by deferring the same job, so the delivery keeps one job (and one `Webhook-Id`) for life.
 */
export function createDeliverProcessor(deps: DeliverDeps) {
  const { context, metrics, logger } = deps;
  const store = context.inFlight;
  const healthy = new RecentlyHealthy();
  /** A dispatcher moves a delivery only from where it found it: a drop or a replay meanwhile wins. */
  const moving = UNSETTLED;
  /** An operational event's own delivery that dies reports nothing: no report about a report. */
  const reports = (delivery: DeliveryState) => !isOperationalName(delivery.data.name);
  // Each label set's child, made once: prom-client hashes a labels object on every call, and
  // the labels are few (results × destination types).
  const attemptCounters = new Map<string, ReturnType<Metrics['deliveryAttempts']['labels']>>();
  const attemptDurations = new Map<string, ReturnType<Metrics['deliveryDuration']['labels']>>();
  function countAttempt(type: string, result: AttemptResult) {
    const key = `${type} ${result.result}`;
    let counter = attemptCounters.get(key);
    if (!counter) {
      counter = metrics.deliveryAttempts.labels({ result: result.result, destination_type: type });
      attemptCounters.set(key, counter);
    }
    counter.inc();
    let duration = attemptDurations.get(type);
    if (!duration) {
      duration = metrics.deliveryDuration.labels({ destination_type: type });
      attemptDurations.set(type, duration);
    }
    duration.observe(result.durationMs / 1000);
  }

  const deliveryCounters = new Map<string, ReturnType<Metrics['deliveries']['labels']>>();
  const latencies = new Map<string, ReturnType<Metrics['deliveryLatency']['labels']>>();
  /** A delivery that reached its end, and for a delivered one how long after its event. */
  function countDelivery(
    type: EndpointType,
    outcome: 'delivered' | 'dead',
    latencyMs?: number,
  ): void {
    const key = `${type} ${outcome}`;
    let counter = deliveryCounters.get(key);
    if (!counter) {
      counter = metrics.deliveries.labels({ outcome, destination_type: type });
      deliveryCounters.set(key, counter);
    }
    counter.inc();
    if (latencyMs === undefined) return;
    let latency = latencies.get(type);
    if (!latency) {
      latency = metrics.deliveryLatency.labels({ destination_type: type });
      latencies.set(type, latency);
    }
    latency.observe(Math.max(0, latencyMs) / 1000);
  }

  async function defer(job: Job, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(Math.max(at, deps.now() + 1), token);
    throw new DelayedError();
  }

  /**
   * Dead-letters a delivery that made no new attempt. `report`: whether it is worth an
   * operational event of its own — not when its endpoint's disable is reported instead, so that
   * an endpoint with 100,000 pending deliveries disabled at once makes one event, not 100,001.
   */
  async function finishDead(
    delivery: DeliveryState,
    type: EndpointType,
    why: string,
    report: boolean,
    /** The last attempt, for the report, when the caller has it at hand. */
    lastAttempt?: Attempt,
  ) {
    await store.record(
      delivery,
      { to: 'dead', now: deps.now(), from: moving, deadLetter: true },
      { report: report && reports(delivery), lastAttempt },
    );
    countDelivery(type, 'dead');
    logger.warn(
      { delivery: delivery.id, endpoint: delivery.endpointId },
      `delivery dead-lettered: ${why}`,
    );
  }

  /**
   * Dead-letters a delivery whose attempt (`attempt`, recorded with it) failed for good: its
   * destination is gone (HTTP: a 410), or it was the last attempt of the retry schedule.
   * Reported as an operational event of its own.
   */
  async function deadAfterAttempt(
    delivery: DeliveryState,
    type: EndpointType,
    attempt: ReturnType<typeof attemptRecord>,
    now: number,
  ) {
    await store.record(
      delivery,
      { to: 'dead', attempt, now, from: moving, deadLetter: true },
      { health: 'failure', report: reports(delivery) },
    );
    countDelivery(type, 'dead');
  }

  async function dropForDeletedEndpoint(delivery: DeliveryState) {
    await store.record(delivery, { to: 'dead', now: deps.now(), from: moving });
    logger.info(
      { delivery: delivery.id, endpoint: delivery.endpointId },
      'endpoint deleted; delivery dropped',
    );
  }

  async function disableEndpoint(endpoint: StoredEndpoint, reason: string) {
    await context.endpoints.disable(
      endpoint.id,
      reason,
      deps.now(),
      reportDisabled(context, reason),
    );
    deps.endpoints.invalidate(endpoint.id);
    logger.warn({ endpoint: endpoint.id }, `endpoint disabled: ${reason}`);
    // Its deliveries waiting for a retry go to the dead letter now, not at their next attempt.
    const promoted = await context.deliveries.promoteRetries(endpoint.id);
    if (promoted > 0)
      logger.info(
        { endpoint: endpoint.id, promoted },
        'retries of a disabled endpoint brought forward',
      );
  }

  function attemptRecord(number: number, at: number, result: AttemptResult) {
    return {
      number,
      at: new Date(at).toISOString(),
      duration_ms: result.durationMs,
      status_code: result.statusCode,
      error: result.error,
      response_excerpt: result.excerpt,
    };
  }

  return async function processDeliver(job: Job, token?: string): Promise<void> {
    let data;
    try {
      data = parseJob('deliver', job.data);
    } catch (error) {
      // Poisoned data: nothing to deliver and nothing to record it against. Dropped, loudly.
      logger.error({ job: job.id, err: error }, 'deliver job data failed its schema; dropped');
      return;
    }
    if (job.id !== data.delivery_id) {
      // A delivery's job is named after it (its one record is that job): a job under another id
      // is not a delivery Hookline made, and nothing could record what it did.
      logger.error(
        { job: job.id, delivery: data.delivery_id },
        'deliver job is not its delivery; dropped',
      );
      return;
    }
    // A job taken for the first time has made no attempt: its state is its data's. One taken
    // again (a retry, a deferral, a stall) reads Hookline's fields of its hash.
    const delivery =
      job.attemptsStarted <= 1
        ? deliveryState(data, initialState(data))
        : await store.stateOf(data);
    if (!delivery) return;
    const body = data.body;
    // A second job for a delivery already finished (a duplicate after a stall): nothing to do.
    if (isSettled(delivery.status)) return;

    let endpoint = await deps.endpoints.get(delivery.endpointId);
    if (!endpoint) return dropForDeletedEndpoint(delivery);
    if (endpoint.disabled)
      return finishDead(delivery, endpoint.type, 'endpoint is disabled', false);
    if (
      delivery.nextAttemptAt !== null &&
      delivery.nextAttemptAt > deps.now() + EARLY_TOLERANCE_MS
    ) {
      // The process that scheduled this retry died before deferring the job.
      return defer(job, token, delivery.nextAttemptAt);
    }

    const gate = await deps.gate.acquire(endpoint.id);
    if (!gate.go) return defer(job, token, gate.retryAt);
    // Waiting for a slot can take a while (up to 250 ms): read the endpoint again, so that a
    // change made meanwhile (a rotation, a new URL, a disable, a delete) applies to this attempt.
    endpoint = await deps.endpoints.get(delivery.endpointId);
    if (!endpoint || endpoint.disabled) {
      gate.release('neutral');
      return endpoint
        ? finishDead(delivery, endpoint.type, 'endpoint is disabled', false)
        : dropForDeletedEndpoint(delivery);
    }
    const destination = deps.destinations.of(endpoint);
    let result: AttemptResult;
    let span: AttemptTrace | undefined;
    const sentAt = deps.now();
    try {
      if (endpoint.rate_limit !== null) {
        const wait = await context.endpoints.rateLimitWait(
          endpoint.id,
          endpoint.rate_limit,
          delivery.id,
          sentAt,
        );
        if (wait > 0) {
          gate.release('neutral');
          return defer(job, token, sentAt + wait);
        }
      }
      const attempt = delivery.attempts + 1;
      const sequence = endpoint.ordering ? await store.sequenceOf(delivery.id) : undefined;
      // Due since its retry time, or since its job was added (a publish, a replay).
      const dueAt = delivery.nextAttemptAt ?? job.timestamp;
      span = startAttemptSpan(
        {
          delivery,
          shape: () => destination.span(endpoint),
          attempt,
          waitedMs: Math.max(0, sentAt - dueAt),
        },
        deps.tracing,
      );
      result = await destination.attempt({
        endpoint,
        deliveryId: delivery.id,
        eventId: delivery.test ? undefined : delivery.eventId,
        eventName: delivery.data.name,
        attempt,
        sequence,
        body,
        now: sentAt,
        trace: span.headers,
      });
      span.end(result);
      gate.release(result.gate);
    } catch (error) {
      gate.release('neutral');
      span?.end({
        result: 'connection',
        message: String(error),
        spanAttributes: { 'error.type': 'connection' },
      });
      throw error;
    }

    countAttempt(endpoint.type, result);
    if (result.warning)
      logger.warn({ endpoint: endpoint.id, delivery: delivery.id }, result.warning);
    const now = deps.now();
    const attempt = attemptRecord(delivery.attempts + 1, sentAt, result);
    const { verdict } = result;

    if (verdict.kind === 'delivered') {
      const countHealth = healthy.mustCountSuccess(endpoint.id, now);
      const recorded = await store.record(
        delivery,
        { to: 'delivered', attempt, now, from: moving },
        { health: countHealth ? 'success' : undefined },
      );
      if (countHealth && recorded === 'ok') healthy.counted(endpoint.id, 'success', now);
      countDelivery(endpoint.type, 'delivered', now - delivery.createdAt);
      return;
    }

    // Every other outcome counts a failure for the endpoint's health below.
    healthy.counted(endpoint.id, 'failure', now);
    if (verdict.kind === 'gone') {
      await deadAfterAttempt(delivery, endpoint.type, attempt, now);
      await disableEndpoint(endpoint, verdict.reason);
      return;
    }

    const cycleAttempts = delivery.attempts - delivery.cycle + 1;
    const delay = nextRetryDelay(deps.config.retrySchedule, cycleAttempts, {
      retryAfterMs: verdict.afterMs,
      random: deps.random,
    });
    if (delay === undefined) {
      await deadAfterAttempt(delivery, endpoint.type, attempt, now);
      logger.info(
        { delivery: delivery.id, endpoint: endpoint.id, attempts: cycleAttempts },
        'attempts exhausted; dead-lettered',
      );
      return;
    }
    const recorded = await store.record(
      delivery,
      { to: 'failed', attempt, nextAttemptAt: now + delay, now, from: moving },
      { health: 'failure' },
    );
    if (recorded === 'gone' || recorded === 'refused') return;
    if (recorded === 'disable') {
      // The attempt just recorded counts, and is the one the report names.
      await finishDead(
        { ...delivery, attempts: delivery.attempts + 1 },
        endpoint.type,
        'its endpoint has failed for longer than HOOKLINE_DISABLE_AFTER',
        true,
        attempt,
      );
      await disableEndpoint(
        endpoint,
        'every attempt failed for longer than HOOKLINE_DISABLE_AFTER',
      );
      return;
    }
    return defer(job, token, now + delay);
  };
}
