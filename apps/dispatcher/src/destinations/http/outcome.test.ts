import { attemptResult } from './outcome';

const NOW = Date.parse('2026-01-14T12:00:00Z');
const answer = (status: number, retryAfter?: string) =>
  attemptResult(
    status < 300
      ? { kind: 'success', status, excerpt: 'ok', durationMs: 3 }
      : { kind: 'http_error', status, excerpt: 'no', retryAfter, durationMs: 3 },
    NOW,
  );

test('a 2xx is delivered, keeping its status and excerpt', () => {
  expect(answer(204)).toMatchObject({
    verdict: { kind: 'delivered' },
    result: 'success',
    statusCode: 204,
    error: null,
    excerpt: 'ok',
    gate: 'success',
  });
});

test('a 410 is gone: the delivery is dead and its endpoint disabled', () => {
  expect(answer(410).verdict).toEqual({ kind: 'gone', reason: 'the endpoint answered 410 Gone' });
});

test('429 and 503 retry no earlier than their Retry-After, in seconds or as a date', () => {
  expect(answer(429, '120').verdict).toEqual({ kind: 'retry', afterMs: 120_000 });
  expect(answer(503, 'Wed, 14 Jan 2026 12:00:30 GMT').verdict).toEqual({
    kind: 'retry',
    afterMs: 30_000,
  });
  expect(answer(503, 'soon').verdict).toEqual({ kind: 'retry' });
});

test('any other answer retries on the schedule, a Retry-After on it unread; redirects are failures', () => {
  for (const status of [500, 502, 301, 302, 404])
    expect(answer(status, '120')).toMatchObject({
      verdict: { kind: 'retry' },
      result: 'http_error',
      statusCode: status,
      error: null,
      gate: 'neutral',
    });
  expect(answer(500, '120').verdict).not.toHaveProperty('afterMs');
});

test('no answer keeps no status; only a timeout or a refused connection counts against the circuit', () => {
  const failed = (kind: 'timeout' | 'connection' | 'dns' | 'tls' | 'auth_token') =>
    attemptResult({ kind, message: `why: ${kind}`, durationMs: 5 }, NOW);
  for (const kind of ['timeout', 'connection'] as const)
    expect(failed(kind)).toMatchObject({ gate: 'failure', statusCode: null, error: kind });
  for (const kind of ['dns', 'tls', 'auth_token'] as const)
    expect(failed(kind)).toMatchObject({ gate: 'neutral', excerpt: '', error: kind });
  expect(failed('auth_token').warning).toBe('no OAuth 2.0 token: why: auth_token');
  expect(failed('tls').warning).toBeUndefined();
});
