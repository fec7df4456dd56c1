import { DeadLetterQuery, DeadLetterReplay } from '@hookline/api';
import type { HooklineContext } from '@hookline/core';
import { Router, type RequestHandler } from 'express';
import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import { jsonBody } from '../json-body';
import { parse } from '../validate';

async function requireEndpoint(context: HooklineContext, id: string | undefined): Promise<void> {
  if (id !== undefined && (await context.endpoints.missing([id])).length > 0)
    throw notFound('endpoint', id);
}

/** The dead letter: list it, and replay it (all of it, one endpoint's, or chosen deliveries). */
export function deadLetterRoutes({ context }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.get('/v1/dead-letter', auth, async (req, res) => {
    const { endpoint_id, ...page } = parse(DeadLetterQuery, req.query);
    await requireEndpoint(context, endpoint_id);
    res.json(await context.deliveries.listDeadLetter(endpoint_id, page));
  });

  router.post('/v1/dead-letter/replay', auth, jsonBody, async (req, res) => {
    const { endpoint_id, ids } = parse(DeadLetterReplay, req.body);
    await requireEndpoint(context, endpoint_id);
    let chosen = ids ?? (await context.deliveries.deadLetterIds(endpoint_id));
    if (ids && endpoint_id !== undefined) {
      const ofEndpoint = new Set(await context.deliveries.deadLetterIds(endpoint_id));
      chosen = ids.filter((id) => ofEndpoint.has(id));
    }
    // Only what is dead now is replayed: ids already replayed, delivered or unknown are skipped,
    // so replaying the same list twice is harmless. `replayed` says how many went.
    const replayed = await context.deliveries.requeue([...new Set(chosen)], ['dead']);
    res.status(202).json({ replayed: replayed.length });
  });

  return router;
}
