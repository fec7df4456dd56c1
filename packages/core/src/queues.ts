import { Job, Queue, type JobsOptions, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis/keys';
import { z } from 'zod';
import { DeadLine, DeliveryId, EndpointId, EventId, OrderingKey } from '@hookline/api';
import { DELIVERIES_QUEUE } from './redis/keys';

/**
 * One delivery of an event (or a test send) to one endpoint: while it moves, its job is its one
 * record (in-flight/job-record.ts). Job id = delivery id. The data holds what never changes for
 * the job's life, the event's body included (the exact bytes receivers get), so an attempt needs
 * no other read; what changes is kept in the job's hash beside BullMQ's fields.
 */
export const DeliverJob = z.object({
  delivery_id: DeliveryId,
  endpoint_id: EndpointId,
  event_id: EventId,
  tenant_id: z.string().nullable(),
  /** The event's name and resource: the log searches deliveries by them. */
  name: z.string(),
  resource_id: z.string().nullable(),
  test: z.boolean(),
  /** Attempts made before this job (a replay's job goes on counting): its cycle starts here. */
  attempts: z.number().int().min(0),
  body: z.string(),
  /** The publish's W3C trace context, if it carried one. */
  traceparent: z.string().nullable(),
  /** Its `tracestate`, passed on with it (absent in jobs added before it was kept). */
  tracestate: z.string().nullable().optional(),
});
export type DeliverJob = z.infer<typeof DeliverJob>;

/**
 * Finishes a large fan-out. The producer writes the deliveries of an event to many endpoints in
 * chunks; this job, added (delayed) with the first chunk and removed after the last, creates
 * whatever a producer that died half-way did not. Job id = `fanout-<event id>`.
 */
export const FanoutJob = z.object({
  event_id: EventId,
  endpoint_ids: z.array(EndpointId),
  /** What the event's delivery jobs carry (queues.ts `DeliverJob`), for those still to be made. */
  event: z.object({
    name: z.string(),
    tenant_id: z.string().nullable(),
    resource_id: z.string().nullable(),
    resource_type: z.string().nullable(),
    test: z.boolean(),
    body: z.string(),
    traceparent: z.string().nullable(),
    tracestate: z.string().nullable().optional(),
    /** Its ordered endpoints then, and what each lines up by: its deliveries' ids depend on it. */
    orderings: z.record(EndpointId, OrderingKey).optional(),
  }),
});
export type FanoutJob = z.infer<typeof FanoutJob>;

/**
 * Reports a moment an operator must act on as an operational event (docs/api.md, "Operational
 * events"). Added in the same Redis transaction as the change it reports; its worker checks that
 * the change happened before it publishes, and names the event after the job, so a job that
 * runs twice publishes once.
 */
export const OperationalJob = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('delivery.dead'),
    delivery_id: DeliveryId,
    endpoint_id: EndpointId,
    /** What the report says, as the delivery stood when it died (its job may be gone by then). */
    event_id: EventId.nullable(),
    tenant_id: z.string().nullable(),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    /** An ordered endpoint's delivery: the line it held, which moved on past it. */
    line: DeadLine.optional(),
    /** ms of its death: the report's event is dated by it, so a report run twice names one event. */
    at: z.number(),
  }),
  z.object({
    kind: z.literal('endpoint.disabled'),
    endpoint_id: EndpointId,
    reason: z.string(),
    /** The endpoint's `updated_at` written by the disable: tells this disable from a later one. */
    stamp: z.string(),
  }),
]);
export type OperationalJob = z.infer<typeof OperationalJob>;

/**
 * The queue catalog, shared by producer and dispatcher: queue name, job name, data schema and
 * options. Data is validated when a job is added ({@link jobFor}) and when it is taken
 * ({@link parseJob}).
 */
export const JOBS = {
  deliver: {
    queue: DELIVERIES_QUEUE,
    schema: DeliverJob,
    options: {
      // Hookline counts delivery attempts and schedules their retries itself (per delivery, in
      // Redis, deferring the job with moveToDelayed). BullMQ's own attempts only count processor
      // errors (Redis failing mid-job): those are retried with backoff, and a job that fails
      // them all is dead-lettered by the dispatcher's 'failed' handler, never silently lost.
      attempts: 20,
      backoff: { type: 'exponential', delay: 1_000 },
      // A finished job keeps its final state until the log has it, so that reading a delivery by
      // id never finds neither; the log writer then removes it (log/job-sweeper.ts).
      removeOnComplete: false,
      removeOnFail: false,
    },
  },
  operational: {
    queue: 'operational',
    schema: OperationalJob,
    options: {
      attempts: 20,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
  fanout: {
    queue: 'fanout',
    schema: FanoutJob,
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  },
} as const satisfies Record<string, { queue: string; schema: z.ZodType; options: JobsOptions }>;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]['schema']>;
export const QUEUE_NAMES = [...new Set(Object.values(JOBS).map((job) => job.queue))];

/** The fan-out job's id for an event. BullMQ job ids may not contain ':'. */
export const fanoutJobId = (eventId: string) => `fanout-${eventId}`;

/**
 * The operational job's id: one per dead-lettering of a delivery (its attempt count tells a
 * replayed delivery's second death from its first) or per disable of an endpoint.
 */
export function operationalJobId(job: OperationalJob): string {
  return job.kind === 'delivery.dead'
    ? `ops-dead-${job.delivery_id}-${job.attempts}`
    : `ops-disabled-${job.endpoint_id}-${Date.parse(job.stamp)}`;
}

/** A BullMQ queue for a job kind, on the given connection and Hookline's prefix. */
export function createQueue(
  name: JobName,
  connection: Redis,
  prefix: string,
  options: Partial<QueueOptions> = {},
): Queue {
  return new Queue(JOBS[name].queue, { connection, prefix, ...options });
}

/** A job ready to be added to a transaction with `job.addJob(multi)`, its data validated. */
export function jobFor<N extends JobName>(
  queue: Queue,
  name: N,
  data: JobData<N>,
  options: JobsOptions & { jobId: string },
): Job {
  const parsed = JOBS[name].schema.parse(data);
  return new Job(queue, name, parsed, { ...JOBS[name].options, ...options }, options.jobId);
}

/** Validates a job's data as it is taken; throws a ZodError for data that fails its schema. */
export function parseJob<N extends JobName>(name: N, data: unknown): JobData<N> {
  return JOBS[name].schema.parse(data) as JobData<N>;
}

/** A shard's queues (keys.ts): its deliveries, its fan-out recovery jobs, its reports. */
export interface ShardQueues {
  shard: number;
  deliveries: Queue;
  fanout: Queue;
  operational: Queue;
}

/**
 * Every queue of a deployment: each shard's, and the catalog's `operational` queue, where an
 * endpoint's disable is reported in the same transaction as the endpoint write.
 */
export interface Queues {
  shards: ShardQueues[];
  catalog: { operational: Queue };
  /** The queues of the shard an event's or a delivery's id names. */
  of(id: string): ShardQueues;
  /** Every queue, with the name of its kind (`deliveries`, `fanout`, `operational`). */
  all(): { name: 'deliveries' | 'fanout' | 'operational'; queue: Queue }[];
}

/** Every queue of a deployment, on BullMQ's connection (context.ts), with Hookline's prefixes. */
export function createQueues(keys: RedisKeys, redis: Redis): Queues {
  const shards = keys.allShards.map((shard) => ({
    shard,
    deliveries: createQueue('deliver', redis, keys.shard(shard)),
    fanout: createQueue('fanout', redis, keys.shard(shard)),
    operational: createQueue('operational', redis, keys.shard(shard)),
  }));
  const catalog = { operational: createQueue('operational', redis, keys.catalog) };
  const all = () => [
    ...shards.flatMap((s) => [
      { name: 'deliveries' as const, queue: s.deliveries },
      { name: 'fanout' as const, queue: s.fanout },
      { name: 'operational' as const, queue: s.operational },
    ]),
    { name: 'operational' as const, queue: catalog.operational },
  ];
  for (const { queue } of all()) queue.on('error', () => undefined);
  return { shards, catalog, of: (id) => shards[keys.shardOf(id)]!, all };
}
