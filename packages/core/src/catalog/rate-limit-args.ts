import type { RedisKeys } from '../redis/keys';

export type RateLimitArgs = [
  limiter: string,
  reservations: string,
  now: number,
  intervalMs: number,
  token: string,
];

/** The arguments of commands/rate-limit-2.lua, in its order (its header names each one). */
export function rateLimitArgs(
  keys: RedisKeys,
  endpointId: string,
  perSecond: number,
  token: string,
  now: number,
): RateLimitArgs {
  return [
    keys.rateLimit(endpointId),
    keys.rateLimitReservations(endpointId),
    now,
    1000 / perSecond,
    token,
  ];
}
