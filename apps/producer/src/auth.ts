import { createHash, timingSafeEqual } from 'node:crypto';
import {
  isOperatorKey,
  isTenantKey,
  type OperatorKeyStore,
  type TenantStore,
} from '@hookline/core';
import type { NextFunction, RequestHandler, Response } from 'express';
import { HttpError } from './http-error';
import { OPERATOR, type Principal } from './principal';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * A check of a presented key against the configured ones in constant time. Both sides are
 * hashed first, so the comparison takes the same time whatever the length of either, and every
 * key is compared (no early exit), so the time says nothing about which key was close.
 */
export function apiKeyCheck(keys: readonly string[]): (presented: string) => boolean {
  const digests = keys.map(sha256);
  return (presented) => {
    const digest = sha256(presented);
    let match = false;
    for (const expected of digests) match = timingSafeEqual(expected, digest) || match;
    return match;
  };
}

// RFC 6750: `Bearer` (case-insensitive scheme), one space-free token.
const BEARER = /^Bearer +([^\s]+) *$/i;

function refuse(res: Response, next: NextFunction): void {
  res.set('WWW-Authenticate', 'Bearer realm="hookline"');
  next(
    new HttpError(401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>'),
  );
}

/** The stores a key made through the API is checked against. */
export interface KeyStores {
  tenants: Pick<TenantStore, 'verifyKey'>;
  operatorKeys: Pick<OperatorKeyStore, 'verify'>;
}

/**
 * Who a key made through the API belongs to: a tenant key (`hlt_…`), else a managed operator key
 * (`hlo_…`), that is neither expired nor revoked, else `undefined`. Every check reads Redis, with
 * no cache, so a revocation holds on every producer from the next request on.
 */
async function managedPrincipal(
  stores: KeyStores,
  token: string,
  now: number,
): Promise<Principal | undefined> {
  if (isTenantKey(token)) {
    const tenantId = await stores.tenants.verifyKey(token, now);
    return tenantId === undefined ? undefined : { kind: 'tenant', tenantId };
  }
  return (await stores.operatorKeys.verify(token, now)) === undefined ? undefined : OPERATOR;
}

/**
 * Requires `Authorization: Bearer <key>`: one of the bootstrap operator `keys`
 * (`HOOKLINE_API_KEYS`), else a tenant key or a managed operator key, looked up in Redis (while
 * Redis is down that is a 503). A missing, wrong, expired or revoked key is 401. Who called goes
 * on `res.locals.principal`.
 */
export function requireApiKey(
  keys: readonly string[],
  stores: KeyStores,
  now: () => number = Date.now,
): RequestHandler {
  const check = apiKeyCheck(keys);
  return (req, res, next) => {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (token !== undefined && check(token)) {
      res.locals.principal = OPERATOR;
      return next();
    }
    // Only a key of a form Hookline mints is looked up: anything else costs Redis nothing.
    if (token === undefined || !(isTenantKey(token) || isOperatorKey(token)))
      return refuse(res, next);
    managedPrincipal(stores, token, now()).then((principal) => {
      if (principal === undefined) return refuse(res, next);
      res.locals.principal = principal;
      next();
    }, next);
  };
}
