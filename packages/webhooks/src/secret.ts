import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidSecretError } from './errors';

export const SECRET_PREFIX = 'whsec_';

// Standard Webhooks asks for 24–64 bytes: under 24 (192 bits) is too weak for
// HMAC-SHA256, over 64 (its block size) gets hashed down anyway.
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/**
 * A new random signing secret: `whsec_` + base64 of `bytes` random bytes.
 *
 * @param bytes - key length, 24–64. Default 24, as Standard Webhooks suggests.
 */
export function generateSecret(bytes = MIN_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_BYTES || bytes > MAX_BYTES) {
    throw new RangeError(`a secret has ${MIN_BYTES}–${MAX_BYTES} bytes, not ${bytes}`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The HMAC key of a secret: the base64-decoded part after `whsec_`.
 *
 * @throws InvalidSecretError when the prefix is missing, the rest is not standard
 * padded base64, or it decodes to fewer than 24 or more than 64 bytes.
 */
export function decodeSecret(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new InvalidSecretError(`a secret starts with "${SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  // Node's decoder skips characters it does not know; re-encoding catches them, as
  // well as URL-safe letters, missing padding and whitespace.
  if (key.toString('base64') !== encoded) {
    throw new InvalidSecretError(`a secret is "${SECRET_PREFIX}" followed by standard base64`);
  }
  if (key.length < MIN_BYTES) {
    throw new InvalidSecretError(
      `a secret decodes to at least ${MIN_BYTES} bytes, this one to ${key.length}`,
    );
  }
  if (key.length > MAX_BYTES) {
    throw new InvalidSecretError(
      `a secret decodes to at most ${MAX_BYTES} bytes, this one to ${key.length}`,
    );
  }
  return key;
}

/** A string `decodeSecret` accepts. */
export const Secret = z.string().superRefine((value, ctx) => {
  try {
    decodeSecret(value);
  } catch (error) {
    if (!(error instanceof InvalidSecretError)) {
      throw error;
    }
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});
export type Secret = z.infer<typeof Secret>;
