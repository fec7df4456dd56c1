import { DeliveryListQuery, DeliverySearchQuery } from '@hookline/api';
import { fromStatuses, type HooklineContext } from '@hookline/core';
import { Router, type RequestHandler, type Response } from 'express';
import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import { principalOf, sees, tenantScope, visible } from '../principal';
import { deliverySearch } from '../search';
import { parse, pathId } from '../validate';

/** A delivery the caller may see (a tenant key sees its tenant's only), else 404. */
async function visibleDelivery(context: HooklineContext, res: Response, id: string) {
  const tenant = await context.deliveries.tenantOf(id);
  if (tenant === undefined || !sees(principalOf(res), tenant)) throw notFound('delivery', id);
  const delivery = await context.deliveries.getDelivery(id);
  if (!delivery) throw notFound('delivery', id);
  return delivery;
}

/** Deliveries: one with its attempts, an endpoint's by status, and delivering one again. */
export function deliveryRoutes({ context, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.get('/v1/deliveries', auth, async (req, res) => {
    const query = parse(DeliverySearchQuery, req.query);
    const tenant = tenantScope(principalOf(res), query.tenant_id);
    res.json(await context.log.listDeliveries(deliverySearch({ ...query, tenant_id: tenant })));
  });

  router.get('/v1/deliveries/:id', auth, async (req, res) => {
    res.json(await visibleDelivery(context, res, pathId('whd', req.params.id)));
  });

  router.post('/v1/deliveries/:id/retry', auth, async (req, res) => {
    const id = pathId('whd', req.params.id);
    const delivery = await visibleDelivery(context, res, id);
    // Any status may go again: a delivered one is delivered once more (receivers dedupe on
    // Webhook-Id, which stays the same). It is refused only when its endpoint is gone.
    const [requeued] = await context.deliveries.requeue([id], fromStatuses('retry'), now());
    if (requeued === undefined) throw notFound('endpoint', delivery.endpoint_id);
    res.status(202).json(await context.deliveries.getDelivery(id));
  });

  router.get('/v1/endpoints/:id/deliveries', auth, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const { status, ...page } = parse(DeliveryListQuery, req.query);
    visible(principalOf(res), await context.endpoints.get(id), (e) => e.tenant_id, 'endpoint', id);
    res.json(await context.log.listDeliveries({ ...page, endpoint_id: id, status }));
  });

  return router;
}
