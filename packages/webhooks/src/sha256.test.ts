import { createHmac } from 'node:crypto';
import { InvalidSecretError, WebhookVerificationError, type VerificationFailure } from './errors';
import { generateSecret } from './secret';
import { signSha256, verifySha256 } from './sha256';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = '{"id":"evt_abc123","name":"order.filled","data":{}}';

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

describe('signSha256', () => {
  test('is the hex HMAC-SHA256 of the body keyed with the decoded secret', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const expected = 'sha256=' + createHmac('sha256', key).update(body).digest('hex');
    expect(signSha256(body, secret)).toBe(expected);
  });

  test('signs a Buffer body as its bytes', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    expect(signSha256(bytes, secret)).toBe(
      'sha256=' + createHmac('sha256', key).update(bytes).digest('hex'),
    );
  });

  test('refuses a malformed secret', () => {
    expect(() => signSha256(body, 'not-a-secret')).toThrow(InvalidSecretError);
  });
});

describe('verifySha256', () => {
  test('accepts its own signature', () => {
    expect(() => verifySha256(body, signSha256(body, secret), secret)).not.toThrow();
  });

  test('accepts upper-case hex', () => {
    const header = 'sha256=' + signSha256(body, secret).slice('sha256='.length).toUpperCase();
    expect(() => verifySha256(body, header, secret)).not.toThrow();
  });

  test('accepts a signature made with any one of the given secrets', () => {
    const header = signSha256(body, secret);
    expect(() => verifySha256(body, header, [generateSecret(), secret])).not.toThrow();
  });

  test('rejects a missing header', () => {
    expect(reasonOf(() => verifySha256(body, undefined, secret))).toBe('missing_header');
  });

  test.each([
    ['another scheme', 'sha1=' + 'a'.repeat(40)],
    ['a short digest', 'sha256=' + 'a'.repeat(63)],
    ['non-hex digits', 'sha256=' + 'g'.repeat(64)],
    ['no prefix', 'a'.repeat(64)],
  ])('rejects a header with %s', (_, header) => {
    expect(reasonOf(() => verifySha256(body, header, secret))).toBe('invalid_signature_header');
  });

  test('rejects a tampered body', () => {
    const header = signSha256(body, secret);
    expect(reasonOf(() => verifySha256(body.replace('filled', 'failed'), header, secret))).toBe(
      'no_matching_signature',
    );
  });

  test('rejects a signature made with another secret', () => {
    const header = signSha256(body, generateSecret());
    expect(reasonOf(() => verifySha256(body, header, secret))).toBe('no_matching_signature');
  });
});
