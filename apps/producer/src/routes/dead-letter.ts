import { fromStatuses, type DeadLetterSearch } from '@hookline/core';
import type { RouteDeps } from '../deps';
import type { Handlers } from '../route-table';
import { scopeFilter } from '../scope-filter';
import { tenantBudget } from '../tenant-budget';

/** Dead deliveries read and requeued per round. */
const REPLAY_PAGE = 500;

/** The dead letter: list it, and replay it (all of it, one endpoint's, one tenant's, or chosen deliveries). */
export function deadLetterHandlers(deps: RouteDeps): Handlers {
  const { context, now } = deps;
  const budget = tenantBudget(deps);

  /** The ids of the dead deliveries `search` finds, oldest first, a page at a time, at most `max`. */
  async function* deadIds(search: DeadLetterSearch, max = Infinity) {
    let after: string | undefined;
    for (let left = max; left > 0;) {
      const page = await context.log.deadLetterForReplay(
        { ...search, after },
        Math.min(REPLAY_PAGE, left),
      );
      if (page.length === 0) return;
      yield page.map((d) => d.id);
      after = page.at(-1)!.id;
      left -= page.length;
      if (page.length < REPLAY_PAGE) return;
    }
  }
  // Only what is dead now is replayed: ids already replayed, delivered or unknown are skipped,
  // so replaying the same list twice is harmless. It answers how many went.
  const replay = async (ids: string[]) =>
    (await context.deliveries.requeue(ids, fromStatuses('replay'), now())).length;

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
      // The log's dead letter: a tenant key's search is its own tenant's, so it replays nothing
      // of another tenant's, whatever ids it names.
      const search: DeadLetterSearch = {
        endpoint_id: filter.endpointId,
        tenant_id: filter.tenantId,
        ids: ids && [...new Set(ids)],
        since: since === undefined ? undefined : Date.parse(since),
        until: until === undefined ? undefined : Date.parse(until),
      };
      let replayed = 0;
      const most = dryRun ? undefined : budget.most(res, 'retries');
      if (most === undefined) {
        for await (const page of deadIds(search))
          replayed += dryRun ? page.length : await replay(page);
      } else {
        // A tenant key sends what its budget holds, the oldest first; the rest stay dead.
        const found: string[] = [];
        for await (const page of deadIds(search, most)) found.push(...page);
        replayed = await replay(found.slice(0, await budget.take(res, 'retries', found.length)));
      }
      res.status(202).json({ replayed, dry_run: dryRun });
    },
  };
}
