import type { Attempt, DeliveryStatus } from '@hookline/api';
import type { RedisKeys } from '../redis/keys';
import { changeHead } from './job-record';
import type { DeliverJob } from '../queues';

/** What a move of a delivery in flight records (commands/record-2.lua). */
export interface RecordMove {
  to: DeliveryStatus;
  attempt?: Attempt | undefined;
  nextAttemptAt?: number | null | undefined;
  now: number;
  /** Move only from these statuses (else 'refused'); any when absent. */
  from?: readonly DeliveryStatus[] | undefined;
  /** Whether the move puts it in the dead letter (dead, and not because its endpoint is gone). */
  deadLetter?: boolean | undefined;
}

export type RecordArgs = [
  jobKey: string,
  stream: string,
  to: DeliveryStatus,
  attempt: string,
  nextAttemptAt: string,
  now: number,
  from: string,
  attemptsBefore: number,
  deadLetter: '1' | '',
  head: string,
];

/** The arguments of commands/record-2.lua, in its order (its header names each one). */
export function recordArgs(keys: RedisKeys, data: DeliverJob, move: RecordMove): RecordArgs {
  return [
    keys.deliveryJob(data.delivery_id),
    keys.changesOf(data.delivery_id),
    move.to,
    move.attempt ? JSON.stringify(move.attempt) : '',
    move.nextAttemptAt ? String(move.nextAttemptAt) : '',
    move.now,
    (move.from ?? []).join(','),
    data.attempts,
    move.deadLetter ? '1' : '',
    changeHead(data),
  ];
}
