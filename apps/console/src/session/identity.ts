import { ApiError } from '../api/api-error';
import type { Api } from '../api/client';
import type { Endpoint, HooklineEvent, Page } from '../api/types';

/**
 * Who a key is. An operator key sees every tenant; `tenants` says whether this server has the
 * tenant routes at all. A tenant key sees one tenant, whose id the portal learns from what it
 * can see, an endpoint or else an event (null while it has neither): no route tells a tenant
 * key its own tenant.
 */
export type Identity =
  { kind: 'operator'; tenants: boolean } | { kind: 'tenant'; tenantId: string | null };

/**
 * Asks the API: a wrong key is a 401 on every route (thrown), and `GET /v1/tenants` tells the
 * rest apart: 200 for an operator, 403 for a tenant key, 404 on a server without tenants
 * (whose keys are all operator keys). Checked on a route every server has first, because a
 * missing route answers 404 whatever the key.
 */
export async function identify(api: Api): Promise<Identity> {
  const endpoints = await api.get<Page<Endpoint>>('/v1/endpoints', { limit: 1 });
  try {
    await api.get('/v1/tenants', { limit: 1 });
    return { kind: 'operator', tenants: true };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 403) return { kind: 'tenant', tenantId: await ownTenant(api, endpoints) };
    if (error.status === 404) return { kind: 'operator', tenants: false };
    throw error;
  }
}

/** The tenant of a tenant key, as what the key can see shows it. */
async function ownTenant(api: Api, endpoints: Page<Endpoint>): Promise<string | null> {
  const fromEndpoint = endpoints.data[0]?.tenant_id;
  if (fromEndpoint) return fromEndpoint;
  const events = await api
    .get<Page<HooklineEvent>>('/v1/events', { limit: 1 })
    .catch(() => ({ data: [] as HooklineEvent[] }));
  return events.data[0]?.tenant_id ?? null;
}

export const isOperator = (identity: Identity) => identity.kind === 'operator';
/** Whether tenant ids mean anything here: an operator on a server with tenants. */
export const showsTenants = (identity: Identity) =>
  identity.kind === 'operator' && identity.tenants;
