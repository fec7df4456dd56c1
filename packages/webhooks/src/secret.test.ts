import { InvalidSecretError } from './errors';
import { decodeSecret, generateSecret, Secret, SECRET_PREFIX } from './secret';

const ofBytes = (n: number): string => SECRET_PREFIX + Buffer.alloc(n, 7).toString('base64');

describe('generateSecret', () => {
  test('generates a whsec_ secret of 24 random bytes by default', () => {
    const secret = generateSecret();
    expect(secret.startsWith('whsec_')).toBe(true);
    expect(decodeSecret(secret)).toHaveLength(24);
  });

  test('generates the number of bytes asked for', () => {
    expect(decodeSecret(generateSecret(64))).toHaveLength(64);
  });

  test('generates a different secret each time', () => {
    expect(generateSecret()).not.toBe(generateSecret());
  });

  test.each([23, 65, 32.5])('refuses %d bytes', (bytes) => {
    expect(() => generateSecret(bytes)).toThrow(RangeError);
  });
});

describe('decodeSecret', () => {
  test('decodes the base64 after the prefix', () => {
    const key = Buffer.alloc(32, 1);
    expect(decodeSecret(SECRET_PREFIX + key.toString('base64'))).toEqual(key);
  });

  test('rejects a secret without the whsec_ prefix', () => {
    expect(() => decodeSecret(Buffer.alloc(32).toString('base64'))).toThrow(
      new InvalidSecretError('a secret starts with "whsec_"'),
    );
  });

  test('rejects a secret of 23 bytes', () => {
    expect(() => decodeSecret(ofBytes(23))).toThrow(/at least 24 bytes, this one to 23/);
  });

  test('rejects a secret of 65 bytes', () => {
    expect(() => decodeSecret(ofBytes(65))).toThrow(/at most 64 bytes, this one to 65/);
  });

  test.each([
    ['characters outside base64', 'whsec_!!!!MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['URL-safe base64', 'whsec_' + Buffer.alloc(30, 0xfb).toString('base64url')],
    ['missing padding', ofBytes(25).replace(/=+$/, '')],
    ['whitespace', ofBytes(24) + ' '],
  ])('rejects %s', (_, secret) => {
    expect(() => decodeSecret(secret)).toThrow(/followed by standard base64/);
  });

  test('throws InvalidSecretError', () => {
    expect(() => decodeSecret('nope')).toThrow(InvalidSecretError);
  });
});

describe('Secret', () => {
  test('accepts a generated secret', () => {
    expect(Secret.safeParse(generateSecret()).success).toBe(true);
  });

  test("rejects with decodeSecret's message", () => {
    const result = Secret.safeParse(ofBytes(23));
    expect(result.error?.issues[0]?.message).toBe(
      'a secret decodes to at least 24 bytes, this one to 23',
    );
  });
});
