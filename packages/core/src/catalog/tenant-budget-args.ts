import type { RedisKeys } from '../redis/keys';
import type { TenantBudgetKind } from './tenant-budgets';

export type TenantBudgetArgs = [
  bucket: string,
  now: number,
  intervalMs: number,
  capacity: number,
  wanted: number,
];

/** The arguments of commands/tenant-budget-1.lua, in its order (its header names each one). */
export function tenantBudgetArgs(
  keys: RedisKeys,
  take: {
    tenantId: string;
    kind: TenantBudgetKind;
    perMinute: number;
    wanted: number;
    now: number;
  },
): TenantBudgetArgs {
  return [
    keys.tenantBudget(take.tenantId, take.kind),
    take.now,
    // Whole ms: a unit comes back a fraction of a ms late rather than the bucket drifting.
    Math.ceil(60_000 / take.perMinute),
    take.perMinute,
    take.wanted,
  ];
}
