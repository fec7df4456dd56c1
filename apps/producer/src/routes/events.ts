import { EventListQuery, PublishBatch, PublishEvent } from '@hookline/api';
import type { Metrics } from '@hookline/core';
import { Router, type RequestHandler, type Response } from 'express';
import type { RouteDeps } from '../deps';
import { operatorOnly, principalOf, tenantScope, visible } from '../principal';
import { jsonBody } from '../json-body';
import { idempotencyKey, idempotencyScope, publishEvents, type PublishOutcome } from '../publish';
import { parse, pathId } from '../validate';
import { eventSearch } from '../search';

function answer<Body>(res: Response, metrics: Metrics, outcome: PublishOutcome<Body>): void {
  if (outcome.kind === 'published') metrics.eventsPublished.inc({ source: 'api' }, outcome.events);
  res.status(outcome.status).json(outcome.body);
}

/** Publishing events, one or a batch; listing them; reading one back with its deliveries. */
export function eventRoutes({ context, metrics, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.post('/v1/events', auth, operatorOnly, jsonBody, async (req, res) => {
    const key = idempotencyKey(req.get('Idempotency-Key'));
    const input = parse(PublishEvent, req.body);
    const outcome = await publishEvents(
      context,
      {
        inputs: [input],
        pathOf: () => '',
        answer: ([published]) => published!,
        idempotency:
          key === undefined ? undefined : { scope: idempotencyScope('events', [input]), key },
      },
      now(),
    );
    answer(res, metrics, outcome);
  });

  router.post('/v1/events/batch', auth, operatorOnly, jsonBody, async (req, res) => {
    const key = idempotencyKey(req.get('Idempotency-Key'));
    const { events } = parse(PublishBatch, req.body);
    const outcome = await publishEvents(
      context,
      {
        inputs: events,
        pathOf: (i) => `events.${i}.`,
        answer: (data) => ({ data }),
        idempotency:
          key === undefined ? undefined : { scope: idempotencyScope('events.batch', events), key },
      },
      now(),
    );
    answer(res, metrics, outcome);
  });

  router.get('/v1/events', auth, async (req, res) => {
    const query = parse(EventListQuery, req.query);
    const tenant = tenantScope(principalOf(res), query.tenant_id);
    res.json(await context.log.listEvents(eventSearch({ ...query, tenant_id: tenant })));
  });

  router.get('/v1/events/:id', auth, async (req, res) => {
    const id = pathId('evt', req.params.id);
    res.json(
      visible(
        principalOf(res),
        await context.deliveries.getEvent(id),
        (e) => e.tenant_id,
        'event',
        id,
      ),
    );
  });

  return router;
}
