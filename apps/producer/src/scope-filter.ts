import type { HooklineContext } from '@hookline/core';
import type { Response } from 'express';
import { principalOf, tenantScope, visible } from './principal';

/**
 * What a read of the log is narrowed to: one endpoint (which the caller must be able to see), and
 * one tenant (a tenant key's own, always). Undefined when the two name nothing together.
 */
export async function scopeFilter(
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
