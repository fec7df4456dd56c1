import { InvalidSecretError, WebhookVerificationError, type VerificationFailure } from './errors';
import { generateSecret } from './secret';
import { sign, verify, verifySignature, type VerifyOptions } from './signature';

// The Standard Webhooks specification's published test vector.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const secret = generateSecret();
const timestamp = 1_700_000_000;
const atSigningTime: VerifyOptions = { now: () => timestamp * 1000 };
const event = {
  id: 'evt_abc123',
  name: 'order.filled',
  resource: { id: 'ord_xyz789', resource_type: 'order' },
  data: { qty: 3 },
  created_at: '2026-01-15T10:30:00Z',
};

function delivery(body: string | Buffer = JSON.stringify(event), secrets = [secret]) {
  const id = 'whd_1';
  return {
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign({ id, timestamp, body, secrets }),
    } as Record<string, string | undefined>,
  };
}

function reasonOf(run: () => unknown): VerificationFailure | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      return error.reason;
    }
    throw error;
  }
  return undefined;
}

describe('sign', () => {
  test('matches the Standard Webhooks test vector', () => {
    const { secret, id, timestamp, body, signature } = vector;
    expect(sign({ id, timestamp, body, secrets: [secret] })).toBe(signature);
  });

  test('lists one v1 signature per secret, space-separated', () => {
    const header = sign({
      id: 'whd_1',
      timestamp,
      body: '{}',
      secrets: [secret, generateSecret()],
    });
    expect(header).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  });

  test('signs a Buffer body as its bytes', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const { headers } = delivery(bytes);
    expect(() => verifySignature(bytes, headers, secret, atSigningTime)).not.toThrow();
    expect(reasonOf(() => verifySignature(bytes.toString(), headers, secret, atSigningTime))).toBe(
      'no_matching_signature',
    );
  });

  test('refuses a timestamp that is not whole seconds', () => {
    expect(() => sign({ id: 'whd_1', timestamp: 1.5, body: '{}', secrets: [secret] })).toThrow(
      RangeError,
    );
  });

  test('refuses an empty list of secrets', () => {
    expect(() => sign({ id: 'whd_1', timestamp, body: '{}', secrets: [] })).toThrow(RangeError);
  });

  test('refuses a malformed secret', () => {
    expect(() => sign({ id: 'whd_1', timestamp, body: '{}', secrets: ['whsec_x'] })).toThrow(
      InvalidSecretError,
    );
  });
});

describe('verify', () => {
  test('verifies the Standard Webhooks test vector', () => {
    const { secret, id, timestamp, body, signature } = vector;
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(() =>
      verifySignature(body, headers, secret, { now: () => timestamp * 1000 }),
    ).not.toThrow();
  });

  test('returns the parsed event', () => {
    const { body, headers } = delivery();
    expect(verify(body, headers, secret, atSigningTime)).toEqual(event);
  });

  test('reads headers whatever their case', () => {
    const { body, headers } = delivery();
    const titleCase = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'Webhook-Signature': headers['webhook-signature'],
    };
    expect(verify(body, titleCase, secret, atSigningTime)).toEqual(event);
  });

  test("reads fetch's Headers", () => {
    const { body, headers } = delivery();
    const fetchHeaders = new Headers(headers as Record<string, string>);
    expect(verify(body, fetchHeaders, secret, atSigningTime)).toEqual(event);
  });

  test('accepts a request signed with any one of the given secrets', () => {
    const old = generateSecret();
    const { body, headers } = delivery(undefined, [old]);
    expect(verify(body, headers, [generateSecret(), old], atSigningTime)).toEqual(event);
  });

  test('accepts any matching entry among several signatures', () => {
    const { body, headers } = delivery(undefined, [generateSecret(), secret, generateSecret()]);
    expect(verify(body, headers, secret, atSigningTime)).toEqual(event);
  });

  test.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'rejects a request without %s',
    (name) => {
      const { body, headers } = delivery();
      delete headers[name];
      expect(reasonOf(() => verify(body, headers, secret, atSigningTime))).toBe('missing_header');
    },
  );

  test('rejects an empty header as missing', () => {
    const { body, headers } = delivery();
    headers['webhook-id'] = '';
    expect(reasonOf(() => verify(body, headers, secret, atSigningTime))).toBe('missing_header');
  });

  test.each(['1700000000.5', '-1700000000', '17e8', 'soon'])(
    'rejects a timestamp that is not whole seconds (%s)',
    (value) => {
      const { body, headers } = delivery();
      headers['webhook-timestamp'] = value;
      expect(reasonOf(() => verify(body, headers, secret, atSigningTime))).toBe(
        'invalid_timestamp',
      );
    },
  );

  test('rejects a timestamp older than the tolerance', () => {
    const { body, headers } = delivery();
    const now = () => (timestamp + 301) * 1000;
    expect(reasonOf(() => verify(body, headers, secret, { now }))).toBe('timestamp_too_old');
  });

  test('rejects a timestamp newer than the tolerance', () => {
    const { body, headers } = delivery();
    const now = () => (timestamp - 301) * 1000;
    expect(reasonOf(() => verify(body, headers, secret, { now }))).toBe('timestamp_too_new');
  });

  test('accepts a timestamp exactly at the tolerance', () => {
    const { body, headers } = delivery();
    const now = () => (timestamp + 300) * 1000 + 999;
    expect(verify(body, headers, secret, { now })).toEqual(event);
  });

  test('applies a custom tolerance', () => {
    const { body, headers } = delivery();
    const now = () => (timestamp + 11) * 1000;
    expect(reasonOf(() => verify(body, headers, secret, { now, toleranceSeconds: 10 }))).toBe(
      'timestamp_too_old',
    );
  });

  test.each([-1, NaN])('refuses a tolerance of %d', (toleranceSeconds) => {
    const { body, headers } = delivery();
    expect(() => verify(body, headers, secret, { ...atSigningTime, toleranceSeconds })).toThrow(
      RangeError,
    );
  });

  test('rejects a signature made with another secret', () => {
    const { body, headers } = delivery();
    expect(reasonOf(() => verify(body, headers, generateSecret(), atSigningTime))).toBe(
      'no_matching_signature',
    );
  });

  test('rejects a tampered body', () => {
    const { headers } = delivery();
    const tampered = JSON.stringify({ ...event, data: { qty: 300 } });
    expect(reasonOf(() => verify(tampered, headers, secret, atSigningTime))).toBe(
      'no_matching_signature',
    );
  });

  test('ignores signatures of other versions', () => {
    const { body, headers } = delivery();
    headers['webhook-signature'] = headers['webhook-signature']?.replace('v1,', 'v1a,');
    expect(reasonOf(() => verify(body, headers, secret, atSigningTime))).toBe(
      'no_matching_signature',
    );
  });

  test('rejects a signature header without any entry', () => {
    const { body, headers } = delivery();
    headers['webhook-signature'] = 'garbage';
    expect(reasonOf(() => verify(body, headers, secret, atSigningTime))).toBe(
      'no_matching_signature',
    );
  });

  test('rejects a signed body that is not JSON', () => {
    const { body, headers } = delivery('{"id": ');
    expect(reasonOf(() => verify(body, headers, secret, atSigningTime))).toBe('invalid_payload');
  });

  test('rejects a signed body that is not a Hookline event', () => {
    const { body, headers } = delivery(JSON.stringify({ ...event, name: 'has spaces' }));
    expect(() => verify(body, headers, secret, atSigningTime)).toThrow(
      /not a Hookline event \(name: event names use only/,
    );
  });

  test('throws InvalidSecretError for a malformed secret', () => {
    const { body, headers } = delivery();
    expect(() => verify(body, headers, 'whsec_x', atSigningTime)).toThrow(InvalidSecretError);
  });
});

describe('verifySignature', () => {
  test('accepts a signed body that is not a Hookline event', () => {
    const { body, headers } = delivery('not json at all');
    expect(() => verifySignature(body, headers, secret, atSigningTime)).not.toThrow();
  });
});
