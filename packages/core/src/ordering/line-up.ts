import type { RedisKeys } from '../redis/keys';
import { DELIVERIES_QUEUE } from '../redis/keys';
import type { Line } from './lines';

/** How long an idle line keeps its last sequence number: a line idle longer starts again at 1. */
export const LINE_SEQUENCE_IDLE_SECONDS = 30 * 24 * 3600;

export type LineUpArgs = [
  jobKey: string,
  line: string,
  sequence: string,
  lines: string,
  wait: string,
  deliveryId: string,
  name: string,
  now: number,
  idleSeconds: number,
];

/** The arguments of commands/line-up-5.lua, in its order (its header names each one). */
export function lineUpArgs(
  keys: RedisKeys,
  deliveryId: string,
  line: Line,
  now: number,
): LineUpArgs {
  const shard = keys.shardOf(deliveryId);
  return [
    keys.deliveryJob(deliveryId),
    keys.line(shard, line.name),
    keys.lineSequence(shard, line.name),
    keys.lines(shard),
    `${keys.shard(shard)}:${DELIVERIES_QUEUE}:wait`,
    deliveryId,
    line.name,
    now,
    LINE_SEQUENCE_IDLE_SECONDS,
  ];
}
