import type { Redis } from 'ioredis';
import { rotateOperatorKeyArgs, touchOperatorKeyArgs } from '../src/catalog/operator-key-args';
import { isOperatorKey, OperatorKeyStore } from '../src/catalog/operator-key-store';
import { redisKeys } from '../src/redis/keys';
import { createRedis } from '../src/redis/redis';
import { cleanupPrefix, keysOfPrefix, testPrefix, TEST_REDIS } from '../src/testing';

// The operator key store against real Redis: what it stores (never a key), and when a key works.

const prefix = testPrefix('opkeys');
const keys = redisKeys(prefix, TEST_REDIS.shards);
let redis: Redis;
let operatorKeys: OperatorKeyStore;

beforeAll(async () => {
  redis = createRedis({ url: TEST_REDIS.redisUrl, cluster: TEST_REDIS.redisCluster }, 'api');
  // An API connection refuses commands until it is up.
  await new Promise((resolve) => redis.once('ready', resolve));
  operatorKeys = new OperatorKeyStore(redis, keys);
});
afterAll(async () => {
  redis.disconnect();
  await cleanupPrefix(prefix);
});

const store = () => operatorKeys;
const HOUR = 3_600_000;

/** Every value Redis holds under the prefix, as text. */
async function everythingStored(): Promise<string> {
  const values: string[] = [];
  for (const key of await keysOfPrefix(prefix)) {
    const type = await redis.type(key);
    if (type === 'hash') values.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'zset') values.push(...(await redis.zrange(key, 0, -1)));
    else if (type === 'string') values.push((await redis.get(key)) ?? '');
  }
  return values.join('\n');
}

test('a created key verifies as its id; Redis holds neither the key nor its secret', async () => {
  const now = Date.now();
  const created = await store().create({ name: 'deploy bot', ttlMs: HOUR }, now);
  expect(created.key).toMatch(/^hlo_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
  expect(isOperatorKey(created.key)).toBe(true);
  expect(created).toMatchObject({
    name: 'deploy bot',
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + HOUR).toISOString(),
    last_used_at: null,
    rotated_at: null,
    previous_key_expires_at: null,
  });
  expect(await store().verify(created.key, now)).toBe(created.id);
  const stored = await everythingStored();
  // A key's secret is its last 43 characters (`hlo_<id>_<secret>`; the secret may hold `_`).
  const secret = created.key.slice(-43);
  expect(stored).toContain(created.id);
  expect(stored).not.toContain(secret);
  expect(stored).not.toContain(Buffer.from(secret, 'base64url').toString('base64'));
});

test('a wrong secret, another kind of key, or a malformed one does not verify', async () => {
  const { key } = await store().create({});
  const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  for (const bad of [wrong, key.replace('hlo_', 'hlt_'), `${key}x`, 'hlo_', '', key + ' '])
    expect(await store().verify(bad)).toBeUndefined();
});

test('a key without a lifetime lives until revoked; revoking stops it at once', async () => {
  const created = await store().create({});
  expect(created.expires_at).toBeNull();
  expect(await store().verify(created.key, Date.now() + 3650 * 24 * HOUR)).toBe(created.id);
  expect(await store().revoke(created.id)).toBe(true);
  expect(await store().verify(created.key)).toBeUndefined();
  expect(await store().get(created.id)).toBeUndefined();
  expect(await store().revoke(created.id)).toBe(false);
});

test('a key stops working at its expiry, and the list drops it once Redis has', async () => {
  const now = Date.now();
  const created = await store().create({ ttlMs: HOUR }, now);
  expect(await store().verify(created.key, now + HOUR - 1)).toBe(created.id);
  expect(await store().verify(created.key, now + HOUR)).toBeUndefined();
  // Made two hours ago with a lifetime of one: Redis has already deleted it.
  const gone = await store().create({ ttlMs: HOUR }, now - 2 * HOUR);
  expect(await redis.zscore(keys.operatorKeys, gone.id)).toBe('0');
  const ids = (await store().list({ limit: 250 })).data.map((k) => k.id);
  expect(ids).not.toContain(gone.id);
  expect(await redis.zscore(keys.operatorKeys, gone.id)).toBeNull();
});

test('after a rotation the new key works, and the old one until the grace ends', async () => {
  const now = Date.now();
  const created = await store().create({ name: 'ci' }, now);
  const rotated = (await store().rotate(created.id, 10 * 60_000, now + 1_000))!;
  expect(rotated.id).toBe(created.id);
  expect(rotated.key).not.toBe(created.key);
  expect(rotated).toMatchObject({
    name: 'ci',
    rotated_at: new Date(now + 1_000).toISOString(),
    previous_key_expires_at: new Date(now + 1_000 + 10 * 60_000).toISOString(),
  });
  const atEnd = now + 1_000 + 10 * 60_000;
  expect(await store().verify(rotated.key, atEnd)).toBe(created.id);
  expect(await store().verify(created.key, atEnd - 1)).toBe(created.id);
  expect(await store().verify(created.key, atEnd)).toBeUndefined();
  expect((await store().get(created.id, atEnd))?.previous_key_expires_at).toBeNull();
  expect(await everythingStored()).not.toContain(rotated.key.slice(-43));
});

test('a rotation without grace stops the old key at once; a second one ends the first one’s grace', async () => {
  const now = Date.now();
  const created = await store().create({}, now);
  const first = (await store().rotate(created.id, 0, now))!;
  expect(await store().verify(created.key, now)).toBeUndefined();
  expect(first.previous_key_expires_at).toBeNull();
  const second = (await store().rotate(created.id, HOUR, now))!;
  const third = (await store().rotate(created.id, HOUR, now))!;
  expect(await store().verify(first.key, now)).toBeUndefined();
  expect(await store().verify(second.key, now)).toBe(created.id);
  expect(await store().verify(third.key, now)).toBe(created.id);
});

test('revoking a rotated key stops the old secret too; an unknown or revoked key is not rotated, nor brought back', async () => {
  const created = await store().create({});
  const rotated = (await store().rotate(created.id, HOUR))!;
  await store().revoke(created.id);
  expect(await store().verify(created.key)).toBeUndefined();
  expect(await store().verify(rotated.key)).toBeUndefined();
  expect(await store().rotate(created.id, HOUR)).toBeUndefined();
  expect(await store().rotate('opk_00000000000000000000000000', HOUR)).toBeUndefined();
  expect(await redis.exists(keys.operatorKey(created.id))).toBe(0);
});

test('a use is noted to the minute; noting one of a revoked key writes nothing', async () => {
  const now = Date.now();
  const created = await store().create({}, now);
  await store().verify(created.key, now + 5_000);
  expect((await store().get(created.id))?.last_used_at).toBe(new Date(now + 5_000).toISOString());
  await store().verify(created.key, now + 6_000);
  expect((await store().get(created.id))?.last_used_at).toBe(new Date(now + 5_000).toISOString());
  await store().verify(created.key, now + 65_000);
  expect((await store().get(created.id))?.last_used_at).toBe(new Date(now + 65_000).toISOString());
  await store().revoke(created.id);
  expect(await redis.hlTouchOperatorKey(...touchOperatorKeyArgs(keys, created.id, now))).toBe(0);
  expect(await redis.exists(keys.operatorKey(created.id))).toBe(0);
});

test('the list pages oldest first and shows no secret', async () => {
  const made: { id: string }[] = [];
  for (let i = 0; i < 5; i++)
    made.push(await store().create({ name: `page ${i}` }, Date.now() + i));
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store().list({ limit: 2, ...(cursor ? { cursor } : {}) });
    expect(page.data.length).toBeLessThanOrEqual(2);
    for (const key of page.data) {
      expect(Object.keys(key).sort()).toEqual(
        [
          'created_at',
          'expires_at',
          'id',
          'last_used_at',
          'name',
          'previous_key_expires_at',
          'rotated_at',
        ].sort(),
      );
      seen.push(key.id);
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  const mine = seen.filter((id) => made.some((m) => m.id === id));
  expect(mine).toEqual(made.map((m) => m.id));
  expect([...seen].sort()).toEqual(seen);
});

test('the old key’s grace shown never runs past the key’s expiry', async () => {
  const now = Date.now();
  const created = await store().create({ ttlMs: 60_000 }, now);
  const rotated = (await store().rotate(created.id, HOUR, now))!;
  expect(rotated.previous_key_expires_at).toBe(new Date(now + 60_000).toISOString());
  expect(await store().verify(created.key, now + 60_000)).toBeUndefined();
});

describe('rotate-operator-key-1.lua', () => {
  const fields = (id: string) => redis.hgetall(keys.operatorKey(id));

  test('moves the digest to previous_hash with its end, and sets the new one and rotated_at', async () => {
    const { id } = await store().create({});
    const before = await fields(id);
    const args = rotateOperatorKeyArgs(keys, id, 'ab'.repeat(32), 2_000, 1_000);
    expect(await redis.hlRotateOperatorKey(...args)).toBe(1);
    expect(await fields(id)).toEqual({
      ...before,
      hash: 'ab'.repeat(32),
      previous_hash: before.hash,
      previous_until: '2000',
      rotated_at: '1000',
    });
  });

  test('keeps no previous digest when the grace ends at or before now', async () => {
    const { id } = await store().create({});
    await redis.hlRotateOperatorKey(
      ...rotateOperatorKeyArgs(keys, id, 'cd'.repeat(32), 5_000, 1_000),
    );
    await redis.hlRotateOperatorKey(
      ...rotateOperatorKeyArgs(keys, id, 'ef'.repeat(32), 1_000, 1_000),
    );
    const after = await fields(id);
    expect(after.hash).toBe('ef'.repeat(32));
    expect(after.previous_hash).toBeUndefined();
    expect(after.previous_until).toBeUndefined();
  });

  test('refuses a key that is gone, and writes nothing', async () => {
    const id = 'opk_01JH0000000000000000000000';
    expect(
      await redis.hlRotateOperatorKey(...rotateOperatorKeyArgs(keys, id, 'ab'.repeat(32), 2, 1)),
    ).toBe(0);
    expect(await redis.exists(keys.operatorKey(id))).toBe(0);
  });
});
