import type { Request } from 'express';
import type { RouteDeps } from '../deps';
import { notFound } from '../http-error';
import { principalOf, sees } from '../principal';
import type { Handlers } from '../route-table';
import { durationWithin } from '../validate';

/** The longest a tenant key may live: a leaked key must not outlive a month. */
const MAX_KEY_LIFETIME_MS = 30 * 24 * 3_600_000;

/**
 * Where the console is, as the caller reached this producer. Behind a proxy that terminates TLS,
 * `X-Forwarded-Proto`/`-Host` say how; only an operator key reaches this route, and the URL goes
 * back to that caller alone.
 */
function consoleUrl(req: Request): string {
  const proto = req.get('x-forwarded-proto')?.split(',')[0]?.trim() || req.protocol;
  const host = req.get('x-forwarded-host')?.split(',')[0]?.trim() || req.get('host');
  return `${proto}://${host ?? 'localhost'}/console`;
}

/** Tenants (operator keys, but for a tenant key's own counts): list, counts, delete, and the keys of a tenant's portal. */
export function tenantHandlers({ context, now }: RouteDeps): Handlers {
  return {
    listTenants: async (_req, res, { query }) => {
      res.json(await context.tenants.list(query));
    },

    // A tenant key may read its own counts (a portal shows them); any other tenant is 404 to it.
    getTenant: async (_req, res, { params: { tenant_id: id } }) => {
      const tenant = sees(principalOf(res), id) ? await context.tenants.get(id) : undefined;
      if (!tenant) throw notFound('tenant', id);
      res.json(tenant);
    },

    updateTenant: async (_req, res, { params: { tenant_id: id }, body }) => {
      if (!(await context.tenants.setWeight(id, body.weight))) throw notFound('tenant', id);
      const tenant = await context.tenants.get(id);
      if (!tenant) throw notFound('tenant', id);
      res.json(tenant);
    },

    // The customer leaves: its endpoints go (their pending deliveries are dropped, exactly as for
    // one endpoint's delete) and its keys are revoked. Nothing of another tenant is touched.
    deleteTenant: async (_req, res, { params: { tenant_id: id } }) => {
      const endpointIds = await context.tenants.endpointIds(id);
      const revoked = await context.tenants.revokeKeys(id);
      if (endpointIds.length === 0 && revoked === 0) throw notFound('tenant', id);
      for (const endpointId of endpointIds) {
        if (!(await context.endpoints.delete(endpointId))) continue;
        await context.deliveries.dropWaitingOf(endpointId, now());
        await context.deliveries.dropDeadLetterOf(endpointId, now());
      }
      await context.tenants.forgetSettings(id);
      res.status(204).end();
    },

    createTenantKey: async (req, res, { params: { tenant_id: id }, body: { expires_in } }) => {
      const ttlMs = durationWithin(
        'expires_in',
        expires_in,
        [1_000, MAX_KEY_LIFETIME_MS],
        '1s to 30d',
      );
      const { key, expiresAt } = await context.tenants.mintKey(id, ttlMs, now());
      res.status(201).json({
        key,
        tenant_id: id,
        expires_at: new Date(expiresAt).toISOString(),
        // The key rides in the fragment, which browsers never send to a server or put in a Referer.
        portal_url: `${consoleUrl(req)}#key=${encodeURIComponent(key)}`,
      });
    },

    revokeTenantKeys: async (_req, res, { params: { tenant_id: id } }) => {
      await context.tenants.revokeKeys(id);
      res.status(204).end();
    },
  };
}
