import type { DeliveryStatus } from '@hookline/api';

/** Statuses of a delivery still moving: its job is its record (in-flight/job-record.ts). */
export const UNSETTLED = ['pending', 'failed'] as const satisfies readonly DeliveryStatus[];
/** Statuses a delivery ends in: its job finishes, and leaves Redis once the log has it. */
export const SETTLED = ['delivered', 'dead'] as const satisfies readonly DeliveryStatus[];

/** Whether a delivery in `status` has settled (delivered or dead). */
export function isSettled(status: DeliveryStatus): boolean {
  return (SETTLED as readonly DeliveryStatus[]).includes(status);
}

/**
 * A delivery's lifecycle: every move between its statuses and what triggers it. The code asks
 * this table which statuses a move starts from; the scripts' tests walk it
 * (`test/scripts.redis.test.ts`); README.md ("How delivery works") shows it, and
 * `lifecycle.test.ts` fails when the two disagree.
 *
 * `via` is the one place the move is written: the publish transaction (`in-flight/publish.ts`),
 * `commands/record-2.lua` or `commands/requeue-4.lua`, each appending the change to the change
 * stream in the same step. A move whose `from` is empty creates the delivery.
 */
export const DELIVERY_MOVES = {
  publish: {
    from: [],
    to: 'pending',
    by: 'the producer: an event is published (or a test send) for the endpoint',
    via: 'publish',
  },
  'attempt-succeeded': {
    from: UNSETTLED,
    to: 'delivered',
    by: 'a dispatcher: the endpoint answered 2xx',
    via: 'transition',
  },
  'attempt-failed': {
    from: UNSETTLED,
    to: 'failed',
    by: 'a dispatcher: the attempt failed and the retry schedule has another',
    via: 'transition',
  },
  'attempts-exhausted': {
    from: UNSETTLED,
    to: 'dead',
    by: 'a dispatcher: the attempt failed and the retry schedule has no other',
    via: 'transition',
  },
  'answered-gone': {
    from: UNSETTLED,
    to: 'dead',
    by: 'a dispatcher: the endpoint answered 410 Gone (and is disabled)',
    via: 'transition',
  },
  'failing-too-long': {
    from: ['failed'],
    to: 'dead',
    by: 'a dispatcher: the endpoint has failed for longer than `HOOKLINE_DISABLE_AFTER` (and is disabled)',
    via: 'transition',
  },
  'endpoint-disabled': {
    from: UNSETTLED,
    to: 'dead',
    by: 'a dispatcher: the endpoint is disabled',
    via: 'transition',
  },
  'job-failed': {
    from: UNSETTLED,
    to: 'dead',
    by: 'a dispatcher: BullMQ gave up on the job (its processor kept throwing, or it stalled too often)',
    via: 'transition',
  },
  'endpoint-deleted': {
    from: UNSETTLED,
    to: 'dead',
    by: 'the producer (`DELETE /v1/endpoints/:id`, a tenant deleted), or a dispatcher finding the endpoint gone; no dead letter is written',
    via: 'transition',
  },
  retry: {
    from: ['pending', 'delivered', 'failed', 'dead'],
    to: 'pending',
    by: 'the API: `POST /v1/deliveries/:id/retry`',
    via: 'requeue',
  },
  recover: {
    from: ['failed', 'dead'],
    to: 'pending',
    by: 'the API: `POST /v1/endpoints/:id/recover`',
    via: 'requeue',
  },
  replay: {
    from: ['dead'],
    to: 'pending',
    by: 'the API: `POST /v1/dead-letter/replay`',
    via: 'requeue',
  },
} as const satisfies Record<string, DeliveryMoveRule>;

export interface DeliveryMoveRule {
  /** The statuses it moves a delivery from; none for the move that creates it. */
  readonly from: readonly DeliveryStatus[];
  readonly to: DeliveryStatus;
  /** Who triggers it, and on what. */
  readonly by: string;
  /** Where it is written. */
  readonly via: 'publish' | 'transition' | 'requeue';
}

export type DeliveryMove = keyof typeof DELIVERY_MOVES;

/** The statuses `move` starts from: the `from` of a transition, the `allowed` of a requeue. */
export function fromStatuses<M extends DeliveryMove>(move: M): (typeof DELIVERY_MOVES)[M]['from'] {
  return DELIVERY_MOVES[move].from;
}

/** Whether `move` may take a delivery in `status`. */
export function allows(move: DeliveryMove, status: DeliveryStatus): boolean {
  return (DELIVERY_MOVES[move].from as readonly DeliveryStatus[]).includes(status);
}
