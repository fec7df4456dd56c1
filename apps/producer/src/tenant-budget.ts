import type { TenantBudgetKind } from '@hookline/core';
import type { Response } from 'express';
import type { RouteDeps } from './deps';
import { HttpError } from './http-error';
import { principalOf } from './principal';

const WHAT: Record<TenantBudgetKind, string> = {
  retries: 'deliveries sent again',
  test_sends: 'test sends',
};

/**
 * What a tenant key spends from its tenant's budget a minute (README, "Tenant quotas"): a portal
 * handed to a customer must not let it hammer receivers or Hookline with manual resends and test
 * sends. Operator keys have no budget.
 */
export function tenantBudget({
  context,
  config,
  now,
}: Pick<RouteDeps, 'context' | 'config' | 'now'>) {
  const perMinute: Record<TenantBudgetKind, number> = {
    retries: config.tenantQuotas.retriesPerMinute,
    test_sends: config.tenantQuotas.testSendsPerMinute,
  };
  return {
    /**
     * The most one request of the caller's may send of `kind`: a full budget for a tenant key,
     * `undefined` (no limit) for an operator key. What is read to send is bounded by it.
     */
    most: (res: Response, kind: TenantBudgetKind): number | undefined =>
      principalOf(res).kind === 'operator' ? undefined : perMinute[kind],

    /**
     * Takes up to `wanted` units of `kind` for the caller and answers how many it may send (all
     * of them for an operator key). With nothing left it is a 429 `rate_limited` whose
     * `Retry-After` says in how many seconds one unit is back.
     */
    async take(res: Response, kind: TenantBudgetKind, wanted = 1): Promise<number> {
      const principal = principalOf(res);
      if (principal.kind === 'operator' || wanted === 0) return wanted;
      const limit = perMinute[kind];
      const { taken, retryAfterMs } = await context.budgets.take(
        principal.tenantId,
        kind,
        limit,
        wanted,
        now(),
      );
      if (taken > 0) return taken;
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      res.set('Retry-After', String(seconds));
      throw new HttpError(
        429,
        'rate_limited',
        `tenant ${principal.tenantId} has used its ${limit} ${WHAT[kind]} a minute: retry in ${seconds} s`,
      );
    },
  };
}
