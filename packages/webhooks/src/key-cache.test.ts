import { createKeyCache } from './key-cache';
import { generateSecret } from './secret';

describe('createKeyCache', () => {
  test('returns the same key for a secret it holds', () => {
    const keyFor = createKeyCache(2);
    const secret = generateSecret();
    expect(keyFor(secret)).toBe(keyFor(secret));
  });

  test('forgets the oldest secret when full', () => {
    const keyFor = createKeyCache(2);
    const [a, b, c] = [generateSecret(), generateSecret(), generateSecret()];
    const first = keyFor(a);
    keyFor(b);
    keyFor(c);
    expect(keyFor(a)).not.toBe(first);
    expect(keyFor(a)).toEqual(first);
  });
});
