import { createHmac } from 'node:crypto';
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
  /** One signature per secret, so receivers holding either side of a rotation verify. */
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
 * `${id}.${timestamp}.${body}` for each secret, space-separated.
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
    .map((secret) => `${VERSION},${digest(secret, prefix, body).toString('base64')}`)
    .join(' ');
}

/**
 * Checks a delivery's `webhook-*` headers and signature against the raw body, for
 * receivers whose payloads are not Hookline events. Pass every secret that may be in
 * use during a rotation; any one matching is enough.
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
  const expected = (typeof secret === 'string' ? [secret] : secret).map((s) =>
    Buffer.from(digest(s, prefix, body).toString('base64')),
  );
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== VERSION) {
      continue;
    }
    const given = Buffer.from(entry.slice(comma + 1));
    if (expected.some((candidate) => safeEqual(given, candidate))) {
      return;
    }
  }
  throw new WebhookVerificationError(
    'no_matching_signature',
    'no v1 signature matches the body and secret',
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
