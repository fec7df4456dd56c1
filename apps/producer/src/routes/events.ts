import { EventListQuery, PublishBatch, PublishEvent } from '@hookline/api';
import type { Metrics } from '@hookline/core';
import { Router, type RequestHandler, type Response } from 'express';
import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import { jsonBody } from '../json-body';
import { idempotencyKey, publishEvents, type PublishOutcome } from '../publish';
import { parse, pathId } from '../validate';

function answer<Body>(res: Response, metrics: Metrics, outcome: PublishOutcome<Body>): void {
  if (outcome.kind === 'published') metrics.eventsPublished.inc(outcome.events);
  res.status(outcome.status).json(outcome.body);
}

/** Publishing events, one or a batch; listing them; reading one back with its deliveries. */
export function eventRoutes({ context, metrics, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.post('/v1/events', auth, jsonBody, async (req, res) => {
    const key = idempotencyKey(req.get('Idempotency-Key'));
    const input = parse(PublishEvent, req.body);
    const outcome = await publishEvents(
      context,
      {
        inputs: [input],
        pathOf: () => '',
        answer: ([published]) => published!,
        idempotency: key === undefined ? undefined : { scope: 'events', key },
      },
      now(),
    );
    answer(res, metrics, outcome);
  });

  router.post('/v1/events/batch', auth, jsonBody, async (req, res) => {
    const key = idempotencyKey(req.get('Idempotency-Key'));
    const { events } = parse(PublishBatch, req.body);
    const outcome = await publishEvents(
      context,
      {
        inputs: events,
        pathOf: (i) => `events.${i}.`,
        answer: (data) => ({ data }),
        idempotency: key === undefined ? undefined : { scope: 'events.batch', key },
      },
      now(),
    );
    answer(res, metrics, outcome);
  });

  router.get('/v1/events', auth, async (req, res) => {
    res.json(await context.events.list(parse(EventListQuery, req.query), now()));
  });

  router.get('/v1/events/:id', auth, async (req, res) => {
    const id = pathId('evt', req.params.id);
    const event = await context.events.get(id);
    if (!event) throw notFound('event', id);
    res.json(event);
  });

  return router;
}
