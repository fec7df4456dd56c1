import type { AttemptError } from '@hookline/api';
import type { PubAck } from 'nats';
import type { AttemptResult } from '../destination';

/** Why an attempt failed, in the attempt log's kinds. */
export interface NatsFailure {
  kind: AttemptError;
  message: string;
  /** Kept with the attempt: what the stream or server said when it refused, else nothing. */
  excerpt: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const AUTH_CODES = new Set([
  'AUTHORIZATION_VIOLATION',
  'AUTHENTICATION_EXPIRED',
  'AUTHENTICATION_TIMEOUT',
  'BAD_AUTHENTICATION',
  'BAD_CREDS',
  'ACCOUNT_EXPIRED',
]);
const REFUSED_CODES = new Set(['PERMISSIONS_VIOLATION', 'MAX_PAYLOAD_EXCEEDED', 'BAD_SUBJECT']);
const TLS_CODES =
  /^(TLS$|ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_|HOSTNAME_MISMATCH)/;

interface ErrorLike {
  code?: string;
  message?: string;
  chainedError?: ErrorLike;
  /** A JetStream API error's answer (nats.js `NatsError.api_error`). */
  api_error?: { code: number; err_code?: number; description: string };
}

/**
 * What a failed connect or publish means. nats.js reports a JetStream refusal as a `NatsError`
 * carrying the server's `api_error` (whose code may be 503 too: "maximum messages exceeded"), and
 * a publish no stream listens to as a bare 503 "no responders" (NATS's request/reply status).
 */
export function classifyNatsError(error: unknown): NatsFailure {
  const err = (error ?? {}) as ErrorLike;
  const code = err.code ?? '';
  const chained = err.chainedError?.code ?? '';
  const message = err.message ?? String(error);
  const failure = (kind: AttemptError, excerpt = ''): NatsFailure => ({ kind, message, excerpt });
  if (code === 'HOOKLINE_SSRF_BLOCKED') return failure('ssrf_blocked');
  if (err.api_error) {
    const { description, code: status, err_code } = err.api_error;
    const text = `${description} (${status}${err_code === undefined ? '' : `/${err_code}`})`;
    return {
      kind: 'broker_nack',
      message: `the stream refused the message: ${text}`,
      excerpt: text,
    };
  }
  if (code === '503') return failure('unroutable', 'no stream takes the subject (no responders)');
  if (code === 'TIMEOUT' || code === 'CONNECTION_TIMEOUT' || code === 'ETIMEDOUT')
    return failure('timeout');
  if (DNS_CODES.has(code)) return failure('dns');
  if (AUTH_CODES.has(code)) return failure('broker_auth');
  // Refused by the server or by nats.js before it left: the subject may not be published to, a
  // body over the server's max_payload, a subject the event's name made invalid.
  if (REFUSED_CODES.has(code)) return failure('broker_refused', message);
  if (
    TLS_CODES.test(code) ||
    TLS_CODES.test(chained) ||
    (code === 'SERVER_OPT_NA' && message === 'tls')
  )
    return failure('tls');
  return failure('connection');
}

/** A publish JetStream acknowledged: the stream has the message (a duplicate: it had it already). */
export function deliveredResult(ack: PubAck, durationMs: number): AttemptResult {
  return {
    verdict: { kind: 'delivered' },
    result: 'success',
    statusCode: null,
    error: null,
    excerpt: `stream ${ack.stream} seq ${ack.seq}${ack.duplicate ? ' duplicate' : ''}`,
    durationMs,
    gate: 'success',
    spanAttributes: {},
  };
}

/**
 * A failed attempt: always retried (a broker destination never disables its endpoint); only an
 * unreachable or silent server counts against the endpoint's circuit.
 */
export function failedResult(failure: NatsFailure, durationMs: number): AttemptResult {
  const { kind } = failure;
  return {
    verdict: { kind: 'retry' },
    result: kind,
    statusCode: null,
    error: kind,
    excerpt: failure.excerpt,
    durationMs,
    gate: kind === 'timeout' || kind === 'connection' || kind === 'dns' ? 'failure' : 'neutral',
    message: failure.message,
    spanAttributes: { 'error.type': kind },
  };
}
