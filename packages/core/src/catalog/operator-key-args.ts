import type { RedisKeys } from '../redis/keys';

export type RotateOperatorKeyArgs = [
  record: string,
  newHash: string,
  previousUntil: number,
  now: number,
];

/** The arguments of commands/rotate-operator-key-1.lua, in its order (its header names each one). */
export function rotateOperatorKeyArgs(
  keys: RedisKeys,
  id: string,
  newHash: string,
  previousUntil: number,
  now: number,
): RotateOperatorKeyArgs {
  return [keys.operatorKey(id), newHash, previousUntil, now];
}

export type TouchOperatorKeyArgs = [record: string, now: number];

/** The arguments of commands/touch-operator-key-1.lua, in its order. */
export function touchOperatorKeyArgs(
  keys: RedisKeys,
  id: string,
  now: number,
): TouchOperatorKeyArgs {
  return [keys.operatorKey(id), now];
}
