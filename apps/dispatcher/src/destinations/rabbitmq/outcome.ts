import type { AttemptError } from '@hookline/api';
import type { AttemptResult } from '../destination';

/** The attempt errors a publish to RabbitMQ can end in. */
export type PublishError = Extract<
  AttemptError,
  | 'timeout'
  | 'connection'
  | 'dns'
  | 'ssrf_blocked'
  | 'tls'
  | 'broker_auth'
  | 'broker_nack'
  | 'unroutable'
  | 'broker_refused'
>;

/**
 * The outcome of one publish: confirmed by the broker, or why not. `excerpt` is what the broker
 * said (its reply text), kept with the attempt; `message` describes the failure for the span.
 */
export type PublishOutcome =
  | { kind: 'delivered'; durationMs: number }
  | { kind: PublishError; message: string; excerpt: string; durationMs: number };

// Kinds by which the broker could not be reached in time: what the endpoint's circuit breaker
// and slow-endpoint limit count.
const UNREACHABLE = new Set<PublishError>(['timeout', 'connection', 'dns']);

// The ones the operator has to fix in the endpoint or on the broker: logged with the endpoint.
const MISCONFIGURED = new Set<PublishError>(['broker_auth', 'broker_refused']);

/**
 * What a publish's outcome means for its delivery. A broker that refuses a message now may take
 * it later (a full queue drains, a missing exchange is declared, a permission is granted): every
 * failure is retried on the schedule, and none disables the endpoint.
 */
export function attemptResult(outcome: PublishOutcome): AttemptResult {
  const { durationMs } = outcome;
  if (outcome.kind === 'delivered')
    return {
      verdict: { kind: 'delivered' },
      result: 'success',
      statusCode: null,
      error: null,
      excerpt: '',
      durationMs,
      gate: 'success',
      spanAttributes: {},
    };
  return {
    verdict: { kind: 'retry' },
    result: outcome.kind,
    statusCode: null,
    error: outcome.kind,
    excerpt: outcome.excerpt,
    durationMs,
    gate: UNREACHABLE.has(outcome.kind) ? 'failure' : 'neutral',
    message: outcome.message,
    ...(MISCONFIGURED.has(outcome.kind)
      ? { warning: `RabbitMQ refused the endpoint's messages: ${outcome.message}` }
      : {}),
    spanAttributes: { 'error.type': outcome.kind },
  };
}
