import type { HooklineContext, StoredEndpoint } from '@hookline/core';
import type { RequestHandler, Response } from 'express';
import { HttpError, notFound } from './http-error';

/**
 * Who is calling: an operator key (`HOOKLINE_API_KEYS`: every route, every tenant) or a tenant
 * key (one tenant's endpoints, deliveries, events and dead letter, for a customer-facing portal).
 * The auth middleware puts it on `res.locals`.
 */
export type Principal = { kind: 'operator' } | { kind: 'tenant'; tenantId: string };

export const OPERATOR: Principal = { kind: 'operator' };

export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? OPERATOR;
}

/** Refuses tenant keys (403) on what only operators may do: publish, list tenants, mint keys. */
export const operatorOnly: RequestHandler = (_req, res, next) => {
  if (principalOf(res).kind === 'operator') return next();
  next(new HttpError(403, 'forbidden', 'a tenant key cannot use this route'));
};

/** Whether the caller may see an object of `tenant` (null: untenanted). */
export function sees(principal: Principal, tenant: string | null | undefined): boolean {
  return principal.kind === 'operator' || principal.tenantId === tenant;
}

/**
 * An object the caller may see, else a 404 exactly like an unknown one: a tenant key learns
 * nothing of other tenants' objects, not even that they exist.
 */
export function visible<T>(
  principal: Principal,
  object: T | undefined,
  tenantOf: (object: T) => string | null,
  what: string,
  id: string,
): T {
  if (object === undefined || !sees(principal, tenantOf(object))) throw notFound(what, id);
  return object;
}

/** The endpoint `id`, if the caller may see it (else 404, as if it did not exist). */
export async function visibleEndpoint(
  context: HooklineContext,
  res: Response,
  id: string,
): Promise<StoredEndpoint> {
  const endpoint = await context.endpoints.get(id);
  return visible(principalOf(res), endpoint, (e) => e.tenant_id, 'endpoint', id);
}

/**
 * The tenant a request acts in. A tenant key acts in its own (naming another is a 403); an
 * operator in the one it names, or in all (`undefined`).
 */
export function tenantScope(
  principal: Principal,
  requested: string | undefined,
): string | undefined {
  if (principal.kind === 'operator') return requested;
  if (requested !== undefined && requested !== principal.tenantId)
    throw new HttpError(403, 'forbidden', 'a tenant key acts only in its own tenant', [
      { path: 'tenant_id', message: 'must be the key’s own tenant' },
    ]);
  return principal.tenantId;
}
