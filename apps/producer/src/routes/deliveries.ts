import { blockedLinesOf, fromStatuses, type HooklineContext } from '@hookline/core';
import type { Response } from 'express';
import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import { principalOf, sees, tenantScope, visibleEndpoint } from '../principal';
import type { Handlers } from '../route-table';
import { deliverySearch } from '../search';
import { tenantBudget } from '../tenant-budget';

/** A delivery the caller may see (a tenant key sees its tenant's only), else 404. */
async function visibleDelivery(context: HooklineContext, res: Response, id: string) {
  const tenant = await context.deliveries.tenantOf(id);
  if (tenant === undefined || !sees(principalOf(res), tenant)) throw notFound('delivery', id);
  const delivery = await context.deliveries.getDelivery(id);
  if (!delivery) throw notFound('delivery', id);
  return delivery;
}

/** Deliveries: one with its attempts, an endpoint's by status, and delivering one again. */
export function deliveryHandlers(deps: RouteDeps): Handlers {
  const { context, now } = deps;
  const budget = tenantBudget(deps);
  return {
    listDeliveries: async (_req, res, { query }) => {
      const tenant = tenantScope(principalOf(res), query.tenant_id);
      res.json(await context.log.listDeliveries(deliverySearch({ ...query, tenant_id: tenant })));
    },

    getDelivery: async (_req, res, { params }) => {
      res.json(await visibleDelivery(context, res, params.id));
    },

    retryDelivery: async (_req, res, { params: { id } }) => {
      const delivery = await visibleDelivery(context, res, id);
      await budget.take(res, 'retries');
      // Any status may go again: a delivered one is delivered once more (receivers dedupe on
      // Webhook-Id, which stays the same). It is refused only when its endpoint is gone.
      const [requeued] = await context.deliveries.requeue([id], fromStatuses('retry'), now());
      if (requeued === undefined) throw notFound('endpoint', delivery.endpoint_id);
      res.status(202).json(await context.deliveries.getDelivery(id));
    },

    listBlockedLines: async (_req, res, { params: { id } }) => {
      await visibleEndpoint(context, res, id);
      res.json({ data: await blockedLinesOf(context.redis, context.keys, id) });
    },

    listEndpointDeliveries: async (_req, res, { params: { id }, query }) => {
      const { status, ...page } = query;
      await visibleEndpoint(context, res, id);
      res.json(await context.log.listDeliveries({ ...page, endpoint_id: id, status }));
    },
  };
}
