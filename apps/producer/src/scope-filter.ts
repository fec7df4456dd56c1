import type { HooklineContext } from '@hookline/core';
import type { Response } from 'express';
import { principalOf, tenantScope, visibleEndpoint } from './principal';

/**
 * What a read of the log is narrowed to: one endpoint (which the caller must be able to see), and
 * one tenant (a tenant key's own, always). Undefined when the two name nothing together.
 */
export async function scopeFilter(
  context: HooklineContext,
  res: Response,
  query: { endpoint_id?: string | undefined; tenant_id?: string | undefined },
) {
  const tenantId = tenantScope(principalOf(res), query.tenant_id);
  const endpointId = query.endpoint_id;
  if (endpointId !== undefined) {
    const endpoint = await visibleEndpoint(context, res, endpointId);
    // An operator naming an endpoint and another tenant gets what both name: nothing.
    if (tenantId !== undefined && endpoint.tenant_id !== tenantId) return undefined;
  }
  return { endpointId, tenantId };
}
