import { Attempt, type DeliveryStatus } from '@hookline/api';
import { idTime } from '../ids';
import type { DeliverJob } from '../queues';

/**
 * A delivery in flight is its BullMQ job, nothing else: the job's data says what the delivery is
 * (queues.ts `DeliverJob`), and Hookline's fields in the job's hash, beside BullMQ's own, say
 * where it stands. They are written only by the scripts that also append the change to the
 * change stream (commands/record-2.lua, commands/requeue-4.lua), so the job and the log cannot
 * drift apart; a job without them is a delivery that has made no attempt yet. When the delivery
 * settles and the log has it, the job goes (log/job-sweeper.ts), and with it every trace of the
 * delivery in Redis.
 */
export const JOB_STATE_FIELDS = {
  /** status; absent: pending */
  status: 'hls',
  /** attempts made so far, every cycle counted; absent: the job data's `attempts` */
  attempts: 'hln',
  /** attempts when the current cycle began; absent: the job data's `attempts` */
  cycle: 'hlc',
  /** next attempt's time (ms) while it waits for a retry; '' or absent: none */
  nextAttemptAt: 'hlx',
} as const;

/**
 * The field of attempt `n` (counting every cycle), as JSON: the job keeps its delivery's attempts
 * while it moves, so that reading the delivery by id shows every one, however far the log is
 * behind.
 */
export const attemptField = (n: number) => `hla:${n}`;
const ATTEMPT_FIELD = /^hla:(\d+)$/;

/** The attempts a job's hash (HGETALL) holds, oldest first. */
export function attemptsOf(hash: Record<string, string>): Attempt[] {
  return Object.keys(hash)
    .map((field) => ({ field, n: Number(ATTEMPT_FIELD.exec(field)?.[1] ?? NaN) }))
    .filter(({ n }) => Number.isInteger(n))
    .sort((a, b) => a.n - b.n)
    .map(({ field }) => Attempt.parse(JSON.parse(hash[field]!)));
}

/** The fields {@link readJobState} takes, in its order. */
export const JOB_STATE_READ = Object.values(JOB_STATE_FIELDS);

/** Where a delivery in flight stands. */
export interface JobState {
  status: DeliveryStatus;
  /** Attempts made so far, in all cycles: the next attempt's `Webhook-Attempt` is this + 1. */
  attempts: number;
  /** `attempts` when the current cycle (first publish, or the last replay) began. */
  cycle: number;
  nextAttemptAt: number | null;
}

/** The state of a job that has made no attempt yet. */
export function initialState(data: Pick<DeliverJob, 'attempts'>): JobState {
  return {
    status: 'pending',
    attempts: data.attempts,
    cycle: data.attempts,
    nextAttemptAt: null,
  };
}

/** The state from an HMGET of {@link JOB_STATE_READ}. */
export function readJobState(
  data: Pick<DeliverJob, 'attempts'>,
  values: readonly (string | null)[],
): JobState {
  const [status, attempts, cycle, next] = values;
  return {
    status: (status || 'pending') as DeliveryStatus,
    attempts: attempts ? Number(attempts) : data.attempts,
    cycle: cycle ? Number(cycle) : data.attempts,
    nextAttemptAt: next ? Number(next) : null,
  };
}

/** A delivery in flight as the dispatcher works on it: its job's data and its state. */
export interface DeliveryState extends JobState {
  id: string;
  eventId: string;
  endpointId: string;
  /** The tenant of its event and endpoint; null for none. */
  tenantId: string | null;
  createdAt: number;
  test: boolean;
  data: DeliverJob;
}

export function deliveryState(data: DeliverJob, state: JobState): DeliveryState {
  return {
    ...state,
    id: data.delivery_id,
    eventId: data.event_id,
    endpointId: data.endpoint_id,
    tenantId: data.tenant_id,
    createdAt: idTime(data.event_id) ?? 0,
    test: data.test,
    data,
  };
}

/**
 * What a change of this delivery repeats of it, as the change stream carries it (field `h`, read
 * by log/stream-entries.ts): enough for the log to write its whole row from any one change.
 */
export function changeHead(data: DeliverJob): string {
  return JSON.stringify({
    id: data.delivery_id,
    e: data.event_id,
    p: data.endpoint_id,
    t: data.tenant_id,
    n: data.name,
    r: data.resource_id,
    x: data.test,
  });
}
