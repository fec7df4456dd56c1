import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as edSign,
  verify as edVerify,
  type KeyObject,
} from 'node:crypto';
import { z } from 'zod';
import { InvalidSecretError } from './errors';
import { createKeyCache } from './key-cache';

/**
 * Standard Webhooks' asymmetric signatures (`v1a`): ed25519 over `${id}.${timestamp}.${body}`.
 * The sender keeps a signing key (`whsk_` + base64 of its 32-byte seed); receivers verify with
 * its public key (`whpk_` + base64 of the 32 raw bytes), which can be shown to anyone.
 */
export const SIGNING_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';
export const ASYMMETRIC_VERSION = 'v1a';

// DER headers of an ed25519 PKCS#8 private key and SPKI public key (RFC 8410): Node reads raw
// keys only wrapped in them.
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_BYTES = 32;

function decodeRaw(text: string, prefix: string, what: string): Buffer {
  if (!text.startsWith(prefix)) throw new InvalidSecretError(`a ${what} starts with "${prefix}"`);
  const encoded = text.slice(prefix.length);
  const raw = Buffer.from(encoded, 'base64');
  if (raw.toString('base64') !== encoded || raw.length !== KEY_BYTES) {
    throw new InvalidSecretError(
      `a ${what} is "${prefix}" followed by the standard base64 of ${KEY_BYTES} bytes`,
    );
  }
  return raw;
}

/** The private key of a `whsk_` signing key. @throws InvalidSecretError */
export function decodeSigningKey(key: string): KeyObject {
  const seed = decodeRaw(key, SIGNING_KEY_PREFIX, 'signing key');
  return createPrivateKey({
    key: Buffer.concat([PKCS8_HEADER, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The public key of a `whpk_` key. @throws InvalidSecretError */
export function decodePublicKey(key: string): KeyObject {
  const raw = decodeRaw(key, PUBLIC_KEY_PREFIX, 'public key');
  return createPublicKey({ key: Buffer.concat([SPKI_HEADER, raw]), format: 'der', type: 'spki' });
}

/** A new random signing key: `whsk_` + base64 of a 32-byte ed25519 seed. */
export function generateSigningKey(): string {
  return SIGNING_KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64');
}

/** The `whpk_` public key receivers verify a signing key's signatures with. */
export function publicKeyOf(signingKey: string): string {
  const spki = createPublicKey(decodeSigningKey(signingKey)).export({
    format: 'der',
    type: 'spki',
  });
  return PUBLIC_KEY_PREFIX + spki.subarray(spki.length - KEY_BYTES).toString('base64');
}

export const isSigningKey = (key: string) => key.startsWith(SIGNING_KEY_PREFIX);
export const isPublicKey = (key: string) => key.startsWith(PUBLIC_KEY_PREFIX);

// Building a KeyObject costs more than the signature itself: the few keys in use are kept.
const privateKeyFor = createKeyCache(1024, decodeSigningKey);
const publicKeyFor = createKeyCache(1024, decodePublicKey);

/** `v1a,<base64 ed25519 signature>` of `content` with a `whsk_` key. */
export function signAsymmetric(key: string, content: Buffer): string {
  return `${ASYMMETRIC_VERSION},${edSign(null, content, privateKeyFor(key)).toString('base64')}`;
}

/** Whether a `v1a` entry's base64 signature verifies `content` under a `whpk_` key. */
export function verifiesAsymmetric(key: string, content: Buffer, signature: string): boolean {
  const raw = Buffer.from(signature, 'base64');
  if (raw.length !== 64) return false;
  return edVerify(null, content, publicKeyFor(key), raw);
}

function refineWith(decode: (key: string) => unknown) {
  return (value: string, ctx: z.RefinementCtx) => {
    try {
      decode(value);
    } catch (error) {
      if (!(error instanceof InvalidSecretError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  };
}

/** A string `decodeSigningKey` accepts. */
export const SigningKey = z.string().superRefine(refineWith(decodeSigningKey));
export type SigningKey = z.infer<typeof SigningKey>;

/** A string `decodePublicKey` accepts. */
export const PublicKey = z.string().superRefine(refineWith(decodePublicKey));
export type PublicKey = z.infer<typeof PublicKey>;
