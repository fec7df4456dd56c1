import { attemptResult } from './outcome';
import { classifyConnectError, replyText, scrub } from './classify';

test('the broker refusing the login or the virtual host is broker_auth', () => {
  const login = new Error(
    'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
  );
  expect(classifyConnectError(login).kind).toBe('broker_auth');
  // What amqplib 2.3.1 says when the broker refuses the virtual host (530 NOT_ALLOWED).
  const vhost = new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
  expect(classifyConnectError(vhost).kind).toBe('broker_auth');
});

test('network failures are told apart: refused, reset, DNS, TLS, the connect time limit, a blocked address', () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  expect(classifyConnectError(coded('ECONNREFUSED')).kind).toBe('connection');
  expect(classifyConnectError(coded('ECONNRESET')).kind).toBe('connection');
  expect(classifyConnectError(coded('ENOTFOUND')).kind).toBe('dns');
  expect(classifyConnectError(coded('EAI_AGAIN')).kind).toBe('dns');
  expect(classifyConnectError(coded('DEPTH_ZERO_SELF_SIGNED_CERT')).kind).toBe('tls');
  expect(classifyConnectError(coded('ERR_TLS_CERT_ALTNAME_INVALID')).kind).toBe('tls');
  expect(classifyConnectError(new Error('connect ETIMEDOUT')).kind).toBe('timeout');
  expect(classifyConnectError(coded('HOOKLINE_SSRF_BLOCKED')).kind).toBe('ssrf_blocked');
  expect(
    classifyConnectError(new Error('Socket closed abruptly during opening handshake')).kind,
  ).toBe('connection');
});

test('the reply text is what the broker said, without amqplib’s wrapping', () => {
  expect(
    replyText(
      `Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'x' in vhost '/'"`,
    ),
  ).toBe("NOT_FOUND - no exchange 'x' in vhost '/'");
  expect(replyText('no wrapping')).toBe('no wrapping');
});

test('a message never keeps the broker URL’s password, as written in the URL or decoded', () => {
  const url = 'amqps://hook:p%40ss%2Fw0rd@broker.example:5671/prod';
  expect(scrub(`failed to reach ${url}`, url)).toBe('failed to reach <broker url>');
  expect(scrub('login hook:p@ss/w0rd refused', url)).toBe('login hook:*** refused');
  expect(scrub('login hook:p%40ss%2Fw0rd refused', url)).toBe('login hook:*** refused');
  expect(scrub('nothing to hide', 'not a url')).toBe('nothing to hide');
});

test('every failure is retried, never gone; only unreachable ones count against the endpoint’s gate', () => {
  const gates = Object.fromEntries(
    (
      [
        'timeout',
        'connection',
        'dns',
        'ssrf_blocked',
        'tls',
        'broker_auth',
        'broker_nack',
        'unroutable',
        'broker_refused',
      ] as const
    ).map((kind) => {
      const result = attemptResult({ kind, message: 'm', excerpt: 'e', durationMs: 1 });
      expect(result.verdict).toEqual({ kind: 'retry' });
      expect(result).toMatchObject({ result: kind, error: kind, statusCode: null, excerpt: 'e' });
      return [kind, result.gate];
    }),
  );
  expect(gates).toEqual({
    timeout: 'failure',
    connection: 'failure',
    dns: 'failure',
    ssrf_blocked: 'neutral',
    tls: 'neutral',
    broker_auth: 'neutral',
    broker_nack: 'neutral',
    unroutable: 'neutral',
    broker_refused: 'neutral',
  });
  const delivered = attemptResult({ kind: 'delivered', durationMs: 1 });
  expect(delivered).toMatchObject({
    verdict: { kind: 'delivered' },
    result: 'success',
    statusCode: null,
    error: null,
    gate: 'success',
  });
});
