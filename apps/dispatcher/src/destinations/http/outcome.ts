import { parseRetryAfter } from '@hookline/core';
import type { AttemptResult, Verdict } from '../destination';
import type { AttemptOutcome } from './sender';

const DELIVERED: Verdict = { kind: 'delivered' };
const RETRY: Verdict = { kind: 'retry' };
const GONE: Verdict = { kind: 'gone', reason: 'the endpoint answered 410 Gone' };

/** What an HTTP answer means (docs/api.md, "Retries"): 2xx delivered; 410 gone; any other retried. */
function verdictOf(status: number, retryAfter: string | undefined, now: number): Verdict {
  if (status === 410) return GONE;
  // Only 429 and 503 ask for a pause; Retry-After on any other status is not read.
  if (status !== 429 && status !== 503) return RETRY;
  const afterMs = parseRetryAfter(retryAfter, now);
  return afterMs === undefined ? RETRY : { kind: 'retry', afterMs };
}

/**
 * One HTTP attempt as the pipeline sees it. Redirects are not followed (a 3xx is a failed
 * attempt like any other non-2xx); a receiver that did not answer in time or could not be
 * reached counts against its endpoint's circuit, any answer does not.
 */
export function attemptResult(outcome: AttemptOutcome, now: number): AttemptResult {
  const { durationMs } = outcome;
  if (outcome.kind === 'success')
    return {
      verdict: DELIVERED,
      result: 'success',
      statusCode: outcome.status,
      error: null,
      excerpt: outcome.excerpt,
      durationMs,
      gate: 'success',
      spanAttributes: { 'http.response.status_code': outcome.status },
    };
  if (outcome.kind === 'http_error')
    return {
      verdict: verdictOf(outcome.status, outcome.retryAfter, now),
      result: 'http_error',
      statusCode: outcome.status,
      error: null,
      excerpt: outcome.excerpt,
      durationMs,
      gate: 'neutral',
      message: `HTTP ${outcome.status}`,
      spanAttributes: {
        'http.response.status_code': outcome.status,
        'error.type': String(outcome.status),
      },
    };
  return {
    verdict: RETRY,
    result: outcome.kind,
    statusCode: null,
    error: outcome.kind,
    excerpt: '',
    durationMs,
    gate: outcome.kind === 'timeout' || outcome.kind === 'connection' ? 'failure' : 'neutral',
    message: outcome.message,
    // Why there was no token is the operator's to fix: logged, never kept with the attempt.
    ...(outcome.kind === 'auth_token' ? { warning: `no OAuth 2.0 token: ${outcome.message}` } : {}),
    spanAttributes: { 'error.type': outcome.kind },
  };
}
