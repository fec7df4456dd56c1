import { inboundTrace, type Metrics } from '@hookline/core';
import type { Request, Response } from 'express';
import type { RouteDeps } from '../deps';
import { principalOf, tenantScope, visible } from '../principal';
import { idempotencyScope, publishEvents, type PublishOutcome } from '../publish';
import type { Handlers } from '../route-table';
import { requestContext } from '../trace-requests';
import { eventSearch } from '../search';

function answer<Body>(res: Response, metrics: Metrics, outcome: PublishOutcome<Body>): void {
  if (outcome.kind === 'published') metrics.eventsPublished.inc({ source: 'api' }, outcome.events);
  res.status(outcome.status).json(outcome.body);
}

/** The caller's trace context headers, where valid. */
const traceHeaders = (req: Request) => inboundTrace(req.get('traceparent'), req.get('tracestate'));

/** Publishing events, one or a batch; listing them; reading one back with its deliveries. */
export function eventHandlers({ context, metrics, now }: RouteDeps): Handlers {
  return {
    publishEvent: async (req, res, { headers, body }) => {
      const key = headers['Idempotency-Key'];
      const outcome = await publishEvents(
        context,
        {
          inputs: [body],
          pathOf: () => '',
          answer: ([published]) => published!,
          trace: traceHeaders(req),
          parent: requestContext(res),
          idempotency:
            key === undefined ? undefined : { scope: idempotencyScope('events', [body]), key },
        },
        now(),
      );
      answer(res, metrics, outcome);
    },

    publishEvents: async (req, res, { headers, body: { events } }) => {
      const key = headers['Idempotency-Key'];
      const outcome = await publishEvents(
        context,
        {
          inputs: events,
          pathOf: (i) => `events.${i}.`,
          answer: (data) => ({ data }),
          trace: traceHeaders(req),
          parent: requestContext(res),
          idempotency:
            key === undefined
              ? undefined
              : { scope: idempotencyScope('events.batch', events), key },
        },
        now(),
      );
      answer(res, metrics, outcome);
    },

    listEvents: async (_req, res, { query }) => {
      const tenant = tenantScope(principalOf(res), query.tenant_id);
      res.json(await context.log.listEvents(eventSearch({ ...query, tenant_id: tenant })));
    },

    getEvent: async (_req, res, { params: { id } }) => {
      res.json(
        visible(
          principalOf(res),
          await context.deliveries.getEvent(id),
          (e) => e.tenant_id,
          'event',
          id,
        ),
      );
    },
  };
}
