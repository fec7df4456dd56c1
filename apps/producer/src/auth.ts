import { createHash, timingSafeEqual } from 'node:crypto';
import { isTenantKey, type TenantStore } from '@hookline/core';
import type { NextFunction, RequestHandler, Response } from 'express';
import { HttpError } from './http-error';
import { OPERATOR } from './principal';

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

/**
 * Requires `Authorization: Bearer <key>`: one of the operator `keys`, or a tenant key that is
 * neither expired nor revoked (looked up in Redis: while Redis is down that is a 503). A missing,
 * wrong, expired or revoked key is 401. Who called goes on `res.locals.principal`.
 */
export function requireApiKey(keys: readonly string[], tenants: TenantStore): RequestHandler {
  const check = apiKeyCheck(keys);
  return (req, res, next) => {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (token !== undefined && check(token)) {
      res.locals.principal = OPERATOR;
      return next();
    }
    if (token === undefined || !isTenantKey(token)) return refuse(res, next);
    tenants.verifyKey(token).then((tenantId) => {
      if (tenantId === undefined) return refuse(res, next);
      res.locals.principal = { kind: 'tenant', tenantId };
      next();
    }, next);
  };
}
