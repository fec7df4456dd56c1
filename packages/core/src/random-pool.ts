import { randomFillSync } from 'node:crypto';

// Random bytes are drawn from the system in blocks, not per use: a batch publish makes thousands
// of ids, and every attempt a span id; one system call and buffer each showed in their profiles
// (5% of a dispatcher's CPU for `randomBytes(8)` per attempt).
const POOL_BYTES = 4_096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `n` (≤ 4,096) fresh random bytes, a view valid until the next call. */
export function pooledRandomBytes(n: number): Buffer {
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}
