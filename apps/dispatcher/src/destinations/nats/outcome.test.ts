import { NatsError } from 'nats';
import { classifyNatsError, failedResult } from './outcome';

const natsError = (code: string, message = code) => new NatsError(message, code);

test('a bare 503 is no responders: no stream takes the subject', () => {
  expect(classifyNatsError(natsError('503')).kind).toBe('unroutable');
});

test("a JetStream API error is the stream's refusal, with its description, whatever its code (503 too)", () => {
  const full = Object.assign(natsError('503', 'jetstream not enabled'), {
    api_error: { code: 503, err_code: 10077, description: 'maximum messages exceeded' },
  });
  expect(classifyNatsError(full)).toMatchObject({
    kind: 'broker_nack',
    excerpt: 'maximum messages exceeded (503/10077)',
  });
});

test.each([
  ['TIMEOUT', 'timeout'],
  ['CONNECTION_TIMEOUT', 'timeout'],
  ['CONNECTION_REFUSED', 'connection'],
  ['CONNECTION_CLOSED', 'connection'],
  ['AUTHORIZATION_VIOLATION', 'broker_auth'],
  ['PERMISSIONS_VIOLATION', 'broker_refused'],
  ['MAX_PAYLOAD_EXCEEDED', 'broker_refused'],
  ['ENOTFOUND', 'dns'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
  ['HOOKLINE_SSRF_BLOCKED', 'ssrf_blocked'],
])('%s is %s', (code, kind) => {
  expect(classifyNatsError(Object.assign(new Error(code), { code })).kind).toBe(kind);
});

test('a server that offers no TLS to a tls:// URL is a TLS failure', () => {
  expect(classifyNatsError(natsError('SERVER_OPT_NA', 'tls')).kind).toBe('tls');
});

test('every failure is retried, never gone; only timeouts and unreachable servers count against the circuit', () => {
  const gate = (kind: Parameters<typeof failedResult>[0]['kind']) =>
    failedResult({ kind, message: '', excerpt: '' }, 1);
  for (const kind of ['timeout', 'connection', 'dns'] as const) {
    expect(gate(kind)).toMatchObject({ verdict: { kind: 'retry' }, gate: 'failure' });
  }
  for (const kind of ['unroutable', 'broker_nack', 'broker_auth', 'ssrf_blocked', 'tls'] as const) {
    expect(gate(kind)).toMatchObject({
      verdict: { kind: 'retry' },
      gate: 'neutral',
      statusCode: null,
    });
  }
});
