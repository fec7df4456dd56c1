import { fromStatuses } from '@hookline/core';
import type { RouteDeps } from '../deps';
import type { Handlers } from '../route-table';
import { scopeFilter } from '../scope-filter';

/** Dead deliveries read and requeued per round. */
const REPLAY_PAGE = 500;

/** The dead letter: list it, and replay it (all of it, one endpoint's, one tenant's, or chosen deliveries). */
export function deadLetterHandlers({ context, now }: RouteDeps): Handlers {
  return {
    listDeadLetter: async (_req, res, { query }) => {
      const { endpoint_id, tenant_id, ...page } = query;
      const filter = await scopeFilter(context, res, { endpoint_id, tenant_id });
      res.json(
        filter
          ? await context.log.listDeliveries({
              ...page,
              dead_letter: true,
              endpoint_id: filter.endpointId,
              tenant_id: filter.tenantId,
            })
          : { data: [], next_cursor: null },
      );
    },

    replayDeadLetter: async (_req, res, { body }) => {
      const { ids, since, until, dry_run, ...query } = body;
      const dryRun = dry_run ?? false;
      const filter = await scopeFilter(context, res, query);
      if (!filter) {
        res.status(202).json({ replayed: 0, dry_run: dryRun });
        return;
      }
      // The log's dead letter, page by page, oldest first: a tenant key's search is its own
      // tenant's, so it replays nothing of another tenant's, whatever ids it names.
      const search = {
        endpoint_id: filter.endpointId,
        tenant_id: filter.tenantId,
        ids: ids && [...new Set(ids)],
        since: since === undefined ? undefined : Date.parse(since),
        until: until === undefined ? undefined : Date.parse(until),
      };
      let replayed = 0;
      let after: string | undefined;
      for (;;) {
        const page = await context.log.deadLetterForReplay({ ...search, after }, REPLAY_PAGE);
        if (page.length === 0) break;
        after = page.at(-1)!.id;
        // Only what is dead now is replayed: ids already replayed, delivered or unknown are
        // skipped, so replaying the same list twice is harmless. `replayed` says how many went.
        replayed += dryRun
          ? page.length
          : (
              await context.deliveries.requeue(
                page.map((d) => d.id),
                fromStatuses('replay'),
                now(),
              )
            ).length;
        if (page.length < REPLAY_PAGE) break;
      }
      res.status(202).json({ replayed, dry_run: dryRun });
    },
  };
}
