import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The keys Hookline mints for its API (tenant keys `hlt_…`, operator keys `hlo_…`) share one form:
// `<kind>_<public id>_<secret>`. The public id finds the stored record; the secret proves the key.
// Only the secret's SHA-256 is stored: a reader of Redis cannot present a key it finds there. The
// secret is 32 random bytes, so a fast hash is enough (nothing to brute-force, unlike a password).

/** The secret part of a key: 32 random bytes, base64url (43 characters). */
export const KEY_SECRET = '[A-Za-z0-9_-]{43}';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** A new secret and the digest to store in its place (hex). */
export function newKeySecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: sha256(secret).toString('hex') };
}

/**
 * Whether `secret` is the one whose digest is `hash` (hex), in constant time: the two are
 * compared as digests, so their lengths never differ and the time says nothing of either.
 */
export function secretMatches(hash: string, secret: string): boolean {
  const expected = Buffer.from(hash, 'hex');
  const presented = sha256(secret);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

/** The public id and the secret of a key that has the form `pattern` (two groups), else `undefined`. */
export function splitKey(
  pattern: RegExp,
  key: string,
): { publicId: string; secret: string } | undefined {
  const match = pattern.exec(key);
  if (!match) return undefined;
  const [, publicId, secret] = match as unknown as [string, string, string];
  return { publicId, secret };
}
