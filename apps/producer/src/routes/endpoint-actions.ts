import { Recover, TestSend } from '@hookline/api';
import { fromStatuses, prepareEvent } from '@hookline/core';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from '../deps';
import { HttpError } from '../http-error';
import { jsonBody } from '../json-body';
import { principalOf, visible } from '../principal';
import { parse, pathId } from '../validate';

/** What an operator (or the endpoint's tenant) does to one endpoint: send a test, recover what it missed. */
export function endpointActionRoutes({ context, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.post('/v1/endpoints/:id/test', auth, jsonBody, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const input = parse(TestSend, req.body);
    const endpoint = visible(
      principalOf(res),
      await context.endpoints.get(id),
      (e) => e.tenant_id,
      'endpoint',
      id,
    );
    // A disabled endpoint's deliveries go straight to the dead letter, so a test could only
    // ever be dead on arrival: refuse it and say why rather than accept a send that cannot happen.
    if (endpoint.disabled) {
      throw new HttpError(
        422,
        'validation_failed',
        `endpoint ${id} is disabled: enable it to send a test`,
        [{ path: 'disabled', message: 'the endpoint is disabled' }],
      );
    }
    const at = now();
    const prepared = prepareEvent({ ...input, tenant_id: endpoint.tenant_id }, [id], {
      now: at,
      test: true,
    });
    await context.publisher.publish([prepared], undefined, at);
    res.status(202).json({ id: prepared.event.id, deliveries: 1 });
  });

  router.post('/v1/endpoints/:id/recover', auth, jsonBody, async (req, res) => {
    const id = pathId('ep', req.params.id);
    const { since } = parse(Recover, req.body);
    visible(principalOf(res), await context.endpoints.get(id), (e) => e.tenant_id, 'endpoint', id);
    const statuses = fromStatuses('recover');
    const ids = await context.deliveries.idsSince(id, statuses, Date.parse(since));
    const recovered = await context.deliveries.requeue(ids, statuses, now());
    res.status(202).json({ recovered: recovered.length });
  });

  return router;
}
