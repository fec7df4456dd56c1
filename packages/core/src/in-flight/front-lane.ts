import type { RedisKeys } from '../redis/keys';
import { DELIVERIES_QUEUE } from '../redis/keys';

/** The front lane's window (commands/front-lane-1.lua). */
export const FRONT_LANE_WINDOW_MS = 1_000;
/**
 * Deliveries of one tenant of weight 1 per shard per window that go to the front: a publisher of
 * a few events a second is served at once whatever waits, a flood joins the back after its first
 * few. A tenant's weight multiplies it.
 */
export const FRONT_LANE_PER_WINDOW = 20;

/** A tenant's deliveries just added in a shard, in publish order, and its weight. */
export interface TenantAdds {
  weight: number;
  ids: string[];
}

export type FrontLaneArgs = [wait: string, ...args: (string | number)[]];

/**
 * The arguments of commands/front-lane-1.lua for deliveries just added in `shard`, grouped by
 * tenant ('' for untenanted), each group in publish order.
 */
export function frontLaneArgs(
  keys: RedisKeys,
  shard: number,
  byTenant: ReadonlyMap<string | null, TenantAdds>,
): FrontLaneArgs {
  const args: (string | number)[] = [FRONT_LANE_WINDOW_MS];
  for (const [tenant, { weight, ids }] of byTenant)
    args.push(keys.frontLane(shard, tenant), FRONT_LANE_PER_WINDOW * weight, ids.length, ...ids);
  return [`${keys.shard(shard)}:${DELIVERIES_QUEUE}:wait`, ...args];
}
