import { DeadLetterQuery, DeadLetterReplay } from '@hookline/api';
import { fromStatuses, type HooklineContext } from '@hookline/core';
import { Router, type RequestHandler, type Response } from 'express';
import type { RouteDeps } from '../deps';
import { principalOf, tenantScope, visible } from '../principal';
import { jsonBody } from '../json-body';
import { parse } from '../validate';

/**
 * The dead letter to read or replay: of one endpoint (which the caller must be able to see),
 * and of one tenant (a tenant key's own, always).
 */
async function deadLetterFilter(
  context: HooklineContext,
  res: Response,
  query: { endpoint_id?: string | undefined; tenant_id?: string | undefined },
) {
  const principal = principalOf(res);
  const tenantId = tenantScope(principal, query.tenant_id);
  const endpointId = query.endpoint_id;
  if (endpointId !== undefined) {
    const endpoint = visible(
      principal,
      await context.endpoints.get(endpointId),
      (e) => e.tenant_id,
      'endpoint',
      endpointId,
    );
    // An operator naming an endpoint and another tenant gets what both name: nothing.
    if (tenantId !== undefined && endpoint.tenant_id !== tenantId) return undefined;
  }
  return { endpointId, tenantId };
}

/** The dead letter: list it, and replay it (all of it, one endpoint's, one tenant's, or chosen deliveries). */
export function deadLetterRoutes({ context }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.get('/v1/dead-letter', auth, async (req, res) => {
    const { endpoint_id, tenant_id, ...page } = parse(DeadLetterQuery, req.query);
    const filter = await deadLetterFilter(context, res, { endpoint_id, tenant_id });
    res.json(
      filter
        ? await context.deliveries.listDeadLetter(filter, page)
        : { data: [], next_cursor: null },
    );
  });

  router.post('/v1/dead-letter/replay', auth, jsonBody, async (req, res) => {
    const { ids, ...query } = parse(DeadLetterReplay, req.body);
    const filter = await deadLetterFilter(context, res, query);
    if (!filter) {
      res.status(202).json({ replayed: 0 });
      return;
    }
    let chosen = ids ?? (await context.deliveries.deadLetterIds(filter));
    if (ids && (filter.endpointId !== undefined || filter.tenantId !== undefined)) {
      // Named ids count only where they are in the chosen dead letter: a tenant key replays
      // nothing of another tenant's, whatever ids it names.
      const within = new Set(await context.deliveries.deadLetterIds(filter));
      chosen = ids.filter((id) => within.has(id));
    }
    // Only what is dead now is replayed: ids already replayed, delivered or unknown are skipped,
    // so replaying the same list twice is harmless. `replayed` says how many went.
    const replayed = await context.deliveries.requeue([...new Set(chosen)], fromStatuses('replay'));
    res.status(202).json({ replayed: replayed.length });
  });

  return router;
}
