import type { RouteDeps } from '../deps';
import type { Handlers } from '../route-table';

/** The keys secrets are sealed under (operator keys only). */
export function encryptionKeyHandlers({ context }: RouteDeps): Handlers {
  return {
    resealSecrets: async (_req, res) => {
      res.json(await context.endpoints.resealAll());
    },
  };
}
