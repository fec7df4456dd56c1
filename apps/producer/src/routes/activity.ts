import type { RouteDeps } from '../deps';
import type { Handlers } from '../route-table';
import { scopeFilter } from '../scope-filter';

const MINUTE_MS = 60_000;
const WINDOW_MS = { '1h': 3_600_000, '24h': 86_400_000 } as const;

/** Deliveries per minute, from the log: what the console's charts draw. */
export function activityHandlers({ context, now }: RouteDeps): Handlers {
  return {
    getActivity: async (_req, res, { query }) => {
      const scope = await scopeFilter(context, res, query);
      // Whole minutes, the current one last.
      const until = Math.floor(now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
      const since = until - WINDOW_MS[query.window];
      const buckets = scope
        ? await context.log.activity({
            tenant_id: scope.tenantId,
            endpoint_id: scope.endpointId,
            since,
            until,
            bucketMs: MINUTE_MS,
          })
        : // An endpoint of another tenant than the one named: nothing, minute by minute.
          Array.from({ length: (until - since) / MINUTE_MS }, (_, i) => ({
            at: since + i * MINUTE_MS,
            delivered: 0,
            failed: 0,
            dead: 0,
          }));
      res.json({
        window: query.window,
        bucket_seconds: MINUTE_MS / 1000,
        data: buckets.map((b) => ({ ...b, at: new Date(b.at).toISOString() })),
      });
    },
  };
}
