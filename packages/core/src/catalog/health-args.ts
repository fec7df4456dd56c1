import type { RedisKeys } from '../redis/keys';

export type HealthArgs = [
  health: string,
  outcome: 'success' | 'failure',
  now: number,
  disableAfterMs: number,
];

/** The arguments of commands/health-1.lua, in its order (its header names each one). */
export function healthArgs(
  keys: RedisKeys,
  endpointId: string,
  outcome: 'success' | 'failure',
  now: number,
  disableAfterMs: number,
): HealthArgs {
  return [keys.endpointHealth(endpointId), outcome, now, disableAfterMs];
}
