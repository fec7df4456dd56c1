import { activeSecrets, type StoredEndpoint } from '@hookline/core';
import { WebhookHeaders, sign, signSha256 } from '@hookline/webhooks';

export interface SignedHeadersInput {
  endpoint: StoredEndpoint;
  deliveryId: string;
  /** Absent on test sends: they carry no `Event-Id`. */
  eventId: string | undefined;
  attempt: number;
  /** Its place in its line, for a delivery of an ordered endpoint. */
  sequence?: number | undefined;
  body: string;
  /** ms since the epoch; `Webhook-Timestamp` is its Unix seconds. */
  now: number;
}

/**
 * The headers every message of an attempt carries, whatever carries it (HTTP headers, AMQP or
 * NATS message headers): the endpoint's custom ones, then the Standard Webhooks id, timestamp and
 * signature, the attempt and the event id. The custom ones go first so that none of Hookline's
 * own can be replaced by them (the API refuses such names too; this is the second line).
 * Every secret still valid at `now` signs, so receivers on either side of a rotation verify.
 */
export function signedHeaders(input: SignedHeadersInput): Record<string, string> {
  const { endpoint, body } = input;
  const timestamp = Math.floor(input.now / 1000);
  const secrets = activeSecrets(endpoint, input.now);
  const headers: Record<string, string> = { ...endpoint.headers };
  // The GitHub-style header is an HMAC of a shared secret: a v1a endpoint has none to use.
  if (endpoint.legacy_signature_header && endpoint.signature !== 'v1a') {
    headers[endpoint.legacy_signature_header] = signSha256(body, endpoint.secrets[0]!.key);
  }
  headers[WebhookHeaders.id] = input.deliveryId;
  headers[WebhookHeaders.timestamp] = String(timestamp);
  headers[WebhookHeaders.signature] = sign({ id: input.deliveryId, timestamp, body, secrets });
  headers[WebhookHeaders.attempt] = String(input.attempt);
  if (input.sequence !== undefined) headers[WebhookHeaders.sequence] = String(input.sequence);
  if (input.eventId) headers[WebhookHeaders.eventId] = input.eventId;
  return headers;
}
