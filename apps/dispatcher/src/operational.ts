import {
  type DeliveryDeadData,
  type EndpointDisabledData,
  type OperationalEventName,
} from '@hookline/api';
import {
  derivedId,
  jobFor,
  operationalJobId,
  parseJob,
  prepareEvent,
  type HooklineContext,
  type InTransaction,
  type Logger,
  type Metrics,
  type OperationalJob,
  type PreparedEvent,
} from '@hookline/core';
import type { Job } from 'bullmq';

// Operational events (docs/api.md, "Operational events"): what an operator must act on, published
// by Hookline itself through the same path as any event. The job that reports a change is added
// in the same Redis transaction as the change (in-flight-store.ts `record` with `report`,
// `reportDisabled` below). Its worker checks that the change did happen — a transaction whose
// compare-and-set lost still adds the job — and names the event after the job, so a job run twice
// publishes once.

export interface OperationalDeps {
  context: HooklineContext;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
}

/** The writes that report an endpoint's disable, for the transaction that disables it. */
export function reportDisabled(context: HooklineContext, reason: string): InTransaction {
  return (multi, endpoint) => {
    const report: OperationalJob = {
      kind: 'endpoint.disabled',
      endpoint_id: endpoint.id,
      reason,
      stamp: endpoint.updated_at,
    };
    // The catalog's queue: the report must share the endpoint write's transaction (keys.ts).
    void jobFor(context.queues.catalog.operational, 'operational', report, {
      jobId: operationalJobId(report),
    }).addJob(multi as never);
  };
}

/**
 * The event of a report. Its id derives from the job's id and the moment of the change it
 * reports (never from when the job ran): a job that runs again names the same event.
 */
function operationalEvent<N extends OperationalEventName>(
  job: Job,
  at: number,
  name: N,
  data: N extends 'hookline.delivery.dead' ? DeliveryDeadData : EndpointDisabledData,
): PreparedEvent {
  return prepareEvent({ name, data }, [], { now: at, id: derivedId('evt', at, String(job.id)) });
}

/** The event a report stands for, or `undefined` when there is nothing to report after all. */
async function eventFor(
  context: HooklineContext,
  job: Job,
  report: OperationalJob,
): Promise<PreparedEvent | undefined> {
  if (report.kind === 'endpoint.disabled') {
    const endpoint = await context.endpoints.get(report.endpoint_id);
    // Not this disable (its compare-and-set lost, or the endpoint was enabled and disabled again).
    if (!endpoint?.disabled || endpoint.updated_at !== report.stamp) return undefined;
    return operationalEvent(job, Date.parse(endpoint.updated_at), 'hookline.endpoint.disabled', {
      endpoint_id: endpoint.id,
      tenant_id: endpoint.tenant_id,
      reason: report.reason,
    });
  }
  // The report is added in the same transaction as the move it reports, whether or not the move
  // was made (it is refused when a drop or a replay came first): only a delivery that is dead, in
  // its job or in the log, is reported.
  const [moving] = await context.inFlight.getMany([report.delivery_id]);
  const status = moving
    ? moving.status
    : (await context.log.getDeliveries([report.delivery_id]))[0]?.status;
  if (status !== 'dead') return undefined;
  return operationalEvent(job, report.at, 'hookline.delivery.dead', {
    delivery_id: report.delivery_id,
    event_id: report.event_id,
    endpoint_id: report.endpoint_id,
    tenant_id: report.tenant_id,
    attempts: report.attempts,
    last_status_code: report.last_status_code,
    last_error: report.last_error as DeliveryDeadData['last_error'],
    ...(report.line ? { line: report.line } : {}),
  });
}

/** Processes one `operational` job: publish the event it reports, once, to its subscribers. */
export function createOperationalProcessor({ context, metrics, logger, now }: OperationalDeps) {
  return async function processOperational(job: Job): Promise<void> {
    const report = parseJob('operational', job.data);
    const prepared = await eventFor(context, job, report);
    if (!prepared || (await context.deliveries.eventExists(prepared.event.id))) return;
    // Untenanted endpoints subscribed by name or prefix only (endpoint-store.ts `matching`).
    const endpointIds = await context.endpoints.matching(prepared.event.name, null);
    await context.publisher.publish([{ ...prepared, endpointIds }], undefined, now());
    metrics.eventsPublished.inc({ source: 'operational' });
    logger.info(
      { event: prepared.event.id, name: prepared.event.name, deliveries: endpointIds.length },
      'operational event published',
    );
  };
}
