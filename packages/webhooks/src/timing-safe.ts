import { timingSafeEqual } from 'node:crypto';

/**
 * Compares in constant time. Lengths are public (a digest's length never varies), so
 * buffers of different lengths are unequal without a comparison.
 */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
