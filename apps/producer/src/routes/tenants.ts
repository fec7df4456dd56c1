import { TenantId, TenantKeyCreate, TenantListQuery } from '@hookline/api';
import { parseDuration } from '@hookline/core';
import { Router, type Request, type RequestHandler } from 'express';
import type { RouteDeps } from '../deps';
import { HttpError, notFound } from '../http-error';
import { jsonBody } from '../json-body';
import { operatorOnly, principalOf, sees } from '../principal';
import { parse, validationFailed } from '../validate';

/** The longest a tenant key may live: a leaked key must not outlive a month. */
const MAX_KEY_LIFETIME_MS = 30 * 24 * 3_600_000;

/** A tenant id in the path; a malformed one is a 404 like an unknown one, without asking Redis. */
function pathTenant(text: unknown): string {
  const parsed = TenantId.safeParse(text);
  if (!parsed.success) throw new HttpError(404, 'not_found', 'no such tenant: not a tenant id');
  return parsed.data;
}

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
export function tenantRoutes({ context, now }: RouteDeps, auth: RequestHandler): Router {
  const router = Router();

  router.get('/v1/tenants', auth, operatorOnly, async (req, res) => {
    res.json(await context.tenants.list(parse(TenantListQuery, req.query)));
  });

  // A tenant key may read its own counts (a portal shows them); any other tenant is 404 to it.
  router.get('/v1/tenants/:tenant_id', auth, async (req, res) => {
    const id = pathTenant(req.params.tenant_id);
    const tenant = sees(principalOf(res), id) ? await context.tenants.get(id) : undefined;
    if (!tenant) throw notFound('tenant', id);
    res.json(tenant);
  });

  // The customer leaves: its endpoints go (their pending deliveries are dropped, exactly as for
  // one endpoint's delete) and its keys are revoked. Nothing of another tenant is touched.
  router.delete('/v1/tenants/:tenant_id', auth, operatorOnly, async (req, res) => {
    const id = pathTenant(req.params.tenant_id);
    const endpointIds = await context.tenants.endpointIds(id);
    const revoked = await context.tenants.revokeKeys(id);
    if (endpointIds.length === 0 && revoked === 0) throw notFound('tenant', id);
    for (const endpointId of endpointIds) {
      if (!(await context.endpoints.delete(endpointId))) continue;
      await context.deliveries.dropWaitingOf(endpointId, now());
      await context.deliveries.dropDeadLetterOf(endpointId, now());
    }
    res.status(204).end();
  });

  router.post('/v1/tenants/:tenant_id/keys', auth, operatorOnly, jsonBody, async (req, res) => {
    const id = pathTenant(req.params.tenant_id);
    const { expires_in } = parse(TenantKeyCreate, req.body);
    const ttlMs = parseDuration(expires_in);
    if (ttlMs === undefined || ttlMs < 1_000 || ttlMs > MAX_KEY_LIFETIME_MS)
      throw validationFailed([{ path: 'expires_in', message: 'must be from 1s to 30d' }]);
    const { key, expiresAt } = await context.tenants.mintKey(id, ttlMs, now());
    res.status(201).json({
      key,
      tenant_id: id,
      expires_at: new Date(expiresAt).toISOString(),
      // The key rides in the fragment, which browsers never send to a server or put in a Referer.
      portal_url: `${consoleUrl(req)}#key=${encodeURIComponent(key)}`,
    });
  });

  router.delete('/v1/tenants/:tenant_id/keys', auth, operatorOnly, async (req, res) => {
    await context.tenants.revokeKeys(pathTenant(req.params.tenant_id));
    res.status(204).end();
  });

  return router;
}
