import { randomBytes } from 'node:crypto';
import { isSealed, Sealer, SealingError, sealingKeyId } from './sealer';

const OLD = randomBytes(32);
const NEW = randomBytes(32);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

test('opens what it sealed, and the sealed form names its key by id, not by the key', () => {
  const sealer = new Sealer([OLD]);
  const sealed = sealer.seal(SECRET);
  expect(sealed).toMatch(new RegExp(`^hls1:${sealingKeyId(OLD)}:[A-Za-z0-9_-]+$`));
  expect(sealed).not.toContain(SECRET);
  for (const encoding of ['hex', 'base64', 'base64url'] as const)
    expect(sealed).not.toContain(OLD.toString(encoding).slice(0, 12));
  expect(sealer.open(sealed)).toBe(SECRET);
});

test('seals the same value differently every time (a fresh IV per seal)', () => {
  const sealer = new Sealer([OLD]);
  const seals = new Set(Array.from({ length: 20 }, () => sealer.seal(SECRET)));
  expect(seals.size).toBe(20);
});

test('a value sealed under an old key opens once a new first key is added, and is not current', () => {
  const sealed = new Sealer([OLD]).seal(SECRET);
  const rotated = new Sealer([NEW, OLD]);
  expect(rotated.open(sealed)).toBe(SECRET);
  expect(rotated.isCurrent(sealed)).toBe(false);
  expect(rotated.isCurrent(rotated.seal(SECRET))).toBe(true);
  expect(rotated.seal(SECRET)).toMatch(new RegExp(`^hls1:${sealingKeyId(NEW)}:`));
});

test('a value sealed under a key it does not have is a clear error naming the key id', () => {
  const sealed = new Sealer([OLD]).seal(SECRET);
  expect(() => new Sealer([NEW]).open(sealed)).toThrow(SealingError);
  expect(() => new Sealer([NEW]).open(sealed)).toThrow(
    `a secret is sealed under key ${sealingKeyId(OLD)}, which is not in HOOKLINE_ENCRYPTION_KEYS`,
  );
});

test('an altered value does not open: any byte of IV, ciphertext or tag, or the key id in the header', () => {
  const sealer = new Sealer([OLD, NEW]);
  const sealed = sealer.seal(SECRET);
  const [version, keyId, body] = sealed.split(':') as [string, string, string];
  const bytes = Buffer.from(body, 'base64url');
  for (const at of [0, 11, 12, bytes.length - 17, bytes.length - 1]) {
    const altered = Buffer.from(bytes);
    altered[at]! ^= 1;
    expect(() => sealer.open(`${version}:${keyId}:${altered.toString('base64url')}`)).toThrow(
      /does not open: it was altered/,
    );
  }
  expect(() => sealer.open(`${version}:${keyId}:${body.slice(0, 20)}`)).toThrow(SealingError);
  // The same body under the other key's id: the header is authenticated as well.
  expect(() => sealer.open(`${version}:${sealingKeyId(NEW)}:${body}`)).toThrow(SealingError);
});

test('a value without the sealed prefix was written before sealing: it reads as plain', () => {
  const sealer = new Sealer([OLD]);
  expect(isSealed(SECRET)).toBe(false);
  expect(sealer.open(SECRET)).toBe(SECRET);
  expect(sealer.isCurrent(SECRET)).toBe(false);
  expect(sealer.open('')).toBe('');
});

test('seals any text, the empty one and non-ASCII included', () => {
  const sealer = new Sealer([OLD]);
  for (const text of ['', 'Bearer ü-ключ-🔑', 'hls1:looks:sealed'])
    expect(sealer.open(sealer.seal(text))).toBe(text);
});

test('refuses no key, and a key that is not 32 bytes', () => {
  expect(() => new Sealer([])).toThrow(SealingError);
  expect(() => new Sealer([randomBytes(16)])).toThrow(/32 bytes/);
});
