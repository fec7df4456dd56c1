import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error';
import type { RequestHandler } from 'express';

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

/** Requires `Authorization: Bearer <key>` with one of `keys`; a missing or wrong key is 401. */
export function requireApiKey(keys: readonly string[]): RequestHandler {
  const check = apiKeyCheck(keys);
  return (req, res, next) => {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !check(token)) {
      res.set('WWW-Authenticate', 'Bearer realm="hookline"');
      next(
        new HttpError(
          401,
          'unauthorized',
          'a valid API key is required: Authorization: Bearer <key>',
        ),
      );
      return;
    }
    next();
  };
}
