import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';
import { tenantBudgetArgs } from './tenant-budget-args';

/**
 * What a tenant key spends from a budget per minute: `retries` (a delivery's retry, and each
 * delivery a recover or a dead-letter replay sends again) and `test_sends`. One budget per
 * tenant, whichever of its keys spends it, so minting more keys does not buy more.
 */
export type TenantBudgetKind = 'retries' | 'test_sends';

/** What {@link TenantBudgets.take} got: `taken` units, or none and `retryAfterMs` until one is back. */
export interface Taken {
  taken: number;
  retryAfterMs: number;
}

/** Tenants' budgets a minute, in Redis: shared by every producer (commands/tenant-budget-1.lua). */
export class TenantBudgets {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Takes up to `wanted` units of the tenant's budget of `kind`, which holds `perMinute` when
   * full and refills evenly over a minute.
   */
  async take(
    tenantId: string,
    kind: TenantBudgetKind,
    perMinute: number,
    wanted: number,
    now = Date.now(),
  ): Promise<Taken> {
    if (!Number.isInteger(wanted) || wanted < 1) throw new RangeError(`wanted ${wanted} units`);
    const [taken, wait] = await this.redis.hlTenantBudget(
      ...tenantBudgetArgs(this.keys, { tenantId, kind, perMinute, wanted, now }),
    );
    return { taken, retryAfterMs: wait };
  }
}
