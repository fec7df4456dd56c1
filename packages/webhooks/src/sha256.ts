import { createHmac } from 'node:crypto';
import { WebhookVerificationError } from './errors';
import { keyFor } from './key-cache';
import { safeEqual } from './timing-safe';

const PREFIX = 'sha256=';
const HEADER = /^sha256=[0-9a-fA-F]{64}$/;

/**
 * A GitHub-style signature, `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with
 * the decoded secret like the Standard Webhooks signature. It covers neither the
 * delivery id nor the time, so it does not stop replays.
 *
 * @throws InvalidSecretError for a malformed secret.
 */
export function signSha256(body: string | Buffer, secret: string): string {
  return PREFIX + digest(body, secret).toString('hex');
}

/**
 * Checks a `sha256=` header against the raw body; any one of several secrets may match.
 *
 * @throws WebhookVerificationError when the header is missing, malformed or matches
 * no secret.
 * @throws InvalidSecretError for a malformed secret.
 */
export function verifySha256(
  body: string | Buffer,
  header: string | undefined,
  secret: string | readonly string[],
): void {
  if (header === undefined || header === '') {
    throw new WebhookVerificationError('missing_header', 'missing sha256 signature header');
  }
  if (!HEADER.test(header)) {
    throw new WebhookVerificationError(
      'invalid_signature_header',
      'signature header is not sha256= followed by 64 hex digits',
    );
  }
  const given = Buffer.from(header.slice(PREFIX.length), 'hex');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!secrets.some((s) => safeEqual(given, digest(body, s)))) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'sha256 signature does not match the body and secret',
    );
  }
}

function digest(body: string | Buffer, secret: string): Buffer {
  return createHmac('sha256', keyFor(secret)).update(body).digest();
}
