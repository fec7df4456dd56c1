import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import type { Handlers } from '../route-table';
import { durationWithin } from '../validate';

const DAY_MS = 86_400_000;
/** The longest lifetime a key may be given; longer, and it should simply live until revoked. */
const MAX_LIFETIME_MS = 3650 * DAY_MS;
/** The longest an old key may keep working after a rotation, as for a tenant key's lifetime. */
const MAX_GRACE_MS = 30 * DAY_MS;

/** Operator keys made through the API (operator keys only: the route table refuses tenant keys). */
export function operatorKeyHandlers({ context, config, now }: RouteDeps): Handlers {
  return {
    createOperatorKey: async (_req, res, { body: { name, expires_in } }) => {
      const ttlMs =
        expires_in === undefined
          ? undefined
          : durationWithin('expires_in', expires_in, [1_000, MAX_LIFETIME_MS], '1s to 3650d');
      res.status(201).json(await context.operatorKeys.create({ name, ttlMs }, now()));
    },

    listOperatorKeys: async (_req, res, { query }) => {
      res.json(await context.operatorKeys.list(query, now()));
    },

    revokeOperatorKey: async (_req, res, { params: { id } }) => {
      if (!(await context.operatorKeys.revoke(id))) throw notFound('operator key', id);
      res.status(204).end();
    },

    rotateOperatorKey: async (_req, res, { params: { id }, body: { grace } }) => {
      const graceMs =
        grace === undefined
          ? config.secretRotationGraceMs
          : durationWithin('grace', grace, [0, MAX_GRACE_MS], '0s to 30d');
      const rotated = await context.operatorKeys.rotate(id, graceMs, now());
      if (!rotated) throw notFound('operator key', id);
      res.status(201).json(rotated);
    },
  };
}
