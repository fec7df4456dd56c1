import { DeliveryListQuery, DeliveryStatus } from '@hookline/api';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import { parse, pathId } from '../validate';

const ALL_STATUSES = DeliveryStatus.options;

/** Deliveries: one with its attempts, an endpoint's by status, and delivering one again. */
export function deliveryRoutes({ context }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.get('/v1/deliveries/:id', auth, async (req, res) => {
    const id = pathId('whd', req.params.id);
    const delivery = await context.deliveries.getDelivery(id);
    if (!delivery) throw notFound('delivery', id);
    res.json(delivery);
  });

  router.post('/v1/deliveries/:id/retry', auth, async (req, res) => {
    const id = pathId('whd', req.params.id);
    const delivery = await context.deliveries.getDelivery(id);
    if (!delivery) throw notFound('delivery', id);
    // Any status may go again: a delivered one is delivered once more (receivers dedupe on
    // Webhook-Id, which stays the same). It is refused only when its endpoint is gone.
    const [requeued] = await context.deliveries.requeue([id], ALL_STATUSES);
    if (requeued === undefined) throw notFound('endpoint', delivery.endpoint_id);
    res.status(202).json(await context.deliveries.getDelivery(id));
  });

  router.get('/v1/endpoints/:id/deliveries', auth, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const { status, ...page } = parse(DeliveryListQuery, req.query);
    if ((await context.endpoints.missing([id])).length > 0) throw notFound('endpoint', id);
    res.json(await context.deliveries.listForEndpoint(id, status, page));
  });

  return router;
}
