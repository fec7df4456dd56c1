import { createHmac } from 'node:crypto';
import {
  ASYMMETRIC_VERSION,
  isPublicKey,
  isSigningKey,
  signAsymmetric,
  verifiesAsymmetric,
} from './ed25519';
import { WebhookVerificationError } from './errors';
import { readHeader, WebhookHeaders, type HeaderSource } from './headers';
import { keyFor } from './key-cache';
import { WebhookEvent } from './schemas';
import { safeEqual } from './timing-safe';

const VERSION = 'v1';

export interface SignInput {
  /** The `webhook-id` header: the delivery's id. */
  id: string;
  /** The `webhook-timestamp` header: Unix seconds, an integer. */
  timestamp: number;
  /** The exact bytes sent; a Buffer is signed as is, never re-serialised. */
  body: string | Buffer;
  /**
   * One signature per secret, so receivers holding either side of a rotation verify: a `whsec_`
   * secret signs `v1` (HMAC-SHA256), a `whsk_` signing key `v1a` (ed25519).
   */
  secrets: readonly string[];
}

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The current time in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * The `webhook-signature` header (Standard Webhooks): `v1,<base64 HMAC-SHA256>` of
 * `${id}.${timestamp}.${body}` for each `whsec_` secret, `v1a,<base64 ed25519>` of the same
 * for each `whsk_` signing key, space-separated.
 *
 * @throws InvalidSecretError for a malformed secret.
 */
export function sign({ id, timestamp, body, secrets }: SignInput): string {
  if (!Number.isSafeInteger(timestamp)) {
    throw new RangeError(`a webhook timestamp is whole Unix seconds, not ${timestamp}`);
  }
  if (secrets.length === 0) {
    throw new RangeError('signing needs at least one secret');
  }
  const prefix = `${id}.${timestamp}.`;
  return secrets
    .map((secret) =>
      isSigningKey(secret)
        ? signAsymmetric(secret, signedContent(prefix, body))
        : `${VERSION},${digest(secret, prefix, body).toString('base64')}`,
    )
    .join(' ');
}

/**
 * Checks a delivery's `webhook-*` headers and signature against the raw body, for
 * receivers whose payloads are not Hookline events. Pass every secret that may be in
 * use during a rotation; any one matching is enough: a `whsec_` secret checks the `v1`
 * signatures, a `whpk_` public key the `v1a` ones.
 *
 * @throws WebhookVerificationError when the request does not verify.
 * @throws InvalidSecretError for a malformed secret.
 */
export function verifySignature(
  body: string | Buffer,
  headers: HeaderSource,
  secret: string | readonly string[],
  { toleranceSeconds = 300, now = Date.now }: VerifyOptions = {},
): void {
  // NaN would make every comparison below false and silently accept any timestamp.
  if (!(toleranceSeconds >= 0)) {
    throw new RangeError(`toleranceSeconds is 0 or more, not ${toleranceSeconds}`);
  }
  const id = requireHeader(headers, WebhookHeaders.id);
  const timestampHeader = requireHeader(headers, WebhookHeaders.timestamp);
  const signatureHeader = requireHeader(headers, WebhookHeaders.signature);

  const timestamp = parseTimestamp(timestampHeader);
  const age = Math.floor(now() / 1000) - timestamp;
  if (age > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook timestamp is ${age}s old, over the ${toleranceSeconds}s tolerance`,
    );
  }
  if (-age > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook timestamp is ${-age}s in the future, over the ${toleranceSeconds}s tolerance`,
    );
  }

  // The header's own text is what was signed, so it is what is checked.
  const prefix = `${id}.${timestampHeader}.`;
  const keys = typeof secret === 'string' ? [secret] : secret;
  const publicKeys = keys.filter(isPublicKey);
  const expected = keys
    .filter((s) => !isPublicKey(s))
    .map((s) => Buffer.from(digest(s, prefix, body).toString('base64')));
  const content = publicKeys.length > 0 ? signedContent(prefix, body) : undefined;
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1) continue;
    const version = entry.slice(0, comma);
    if (version === VERSION) {
      const given = Buffer.from(entry.slice(comma + 1));
      if (expected.some((candidate) => safeEqual(given, candidate))) return;
    } else if (version === ASYMMETRIC_VERSION && content) {
      const given = entry.slice(comma + 1);
      if (publicKeys.some((key) => verifiesAsymmetric(key, content, given))) return;
    }
  }
  throw new WebhookVerificationError(
    'no_matching_signature',
    `no ${publicKeys.length > 0 ? 'v1a' : 'v1'} signature matches the body and ${publicKeys.length > 0 ? 'key' : 'secret'}`,
  );
}

/**
 * Verifies a delivery (see `verifySignature`) and returns its body as a `WebhookEvent`.
 *
 * @param body - the raw request body, exactly as received.
 * @throws WebhookVerificationError when the request does not verify or the body is
 * not a Hookline event.
 */
export function verify(
  body: string | Buffer,
  headers: HeaderSource,
  secret: string | readonly string[],
  options?: VerifyOptions,
): WebhookEvent {
  verifySignature(body, headers, secret, options);
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'webhook body is not valid JSON');
  }
  const parsed = WebhookEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new WebhookVerificationError(
      'invalid_payload',
      `webhook body is not a Hookline event (${where}${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data;
}

function signedContent(prefix: string, body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(prefix), typeof body === 'string' ? Buffer.from(body) : body]);
}

function digest(secret: string, prefix: string, body: string | Buffer): Buffer {
  return createHmac('sha256', keyFor(secret)).update(prefix).update(body).digest();
}

function requireHeader(headers: HeaderSource, name: string): string {
  const value = readHeader(headers, name);
  if (value === undefined || value === '') {
    throw new WebhookVerificationError('missing_header', `missing ${name} header`);
  }
  return value;
}

function parseTimestamp(header: string): number {
  const timestamp = Number(header);
  if (!/^\d+$/.test(header) || !Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      'webhook-timestamp is not whole Unix seconds',
    );
  }
  return timestamp;
}
