import { randomBytes } from 'node:crypto';
import { EndpointCreate } from '@hookline/api';
import { generateSecret } from '@hookline/webhooks';
import type { Redis } from 'ioredis';
import { EndpointStore, verificationKey } from '../src/catalog/endpoint-store';
import { redisKeys } from '../src/redis/keys';
import { createRedis } from '../src/redis/redis';
import { SealedEndpoint } from '../src/schemas';
import { isSealed, Sealer, SealingError, sealingKeyId } from '../src/sealing/sealer';
import { cleanupPrefix, testPrefix, TEST_REDIS } from '../src/testing';

// The endpoint store against a real Redis, with sealers of different keys over the same records:
// what each process, given its HOOKLINE_ENCRYPTION_KEYS, reads and writes.

const OLD = randomBytes(32);
const NEW = randomBytes(32);
const prefix = testPrefix('sealing');
const keys = redisKeys(prefix, TEST_REDIS.shards);
let redis: Redis;

const storeWith = (encryptionKeys: Buffer[], connection: Redis = redis) =>
  new EndpointStore(connection, keys, new Sealer(encryptionKeys));

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS.redisUrl, cluster: TEST_REDIS.redisCluster }, 'api', {
    enableOfflineQueue: true,
  });
});
afterAll(async () => {
  redis.disconnect();
  await cleanupPrefix(prefix);
});

/** The record as Redis holds it. */
async function stored(id: string): Promise<SealedEndpoint> {
  return SealedEndpoint.parse(JSON.parse((await redis.get(keys.endpoint(id)))!));
}

/** Every secret value of a record as Redis holds it. */
const secretValues = (endpoint: SealedEndpoint) => [
  ...endpoint.secrets.map((s) => s.key),
  ...Object.values(endpoint.headers),
];

const create = (store: EndpointStore, fields: Record<string, unknown> = {}) =>
  store.create(
    EndpointCreate.parse({
      url: 'https://example.com/hook',
      headers: { Authorization: `Bearer tok_${randomBytes(12).toString('hex')}`, 'X-Team': 'a' },
      ...fields,
    }),
  );

test('secrets and header values reach Redis sealed under the first key, and come back plain', async () => {
  const store = storeWith([OLD]);
  const secret = generateSecret();
  const created = await create(store, { secret });
  const raw = (await redis.get(keys.endpoint(created.id)))!;
  expect(raw).not.toContain(secret);
  expect(raw).not.toContain(created.headers.Authorization!);
  const record = await stored(created.id);
  for (const value of secretValues(record))
    expect(value).toMatch(new RegExp(`^hls1:${sealingKeyId(OLD)}:`));
  // What is not secret stays readable in Redis: the header's name, the URL.
  expect(Object.keys(record.headers)).toEqual(['Authorization', 'X-Team']);
  expect(record.url).toBe('https://example.com/hook');

  const read = await store.get(created.id);
  expect(read).toEqual(created);
  expect((await store.getMany([created.id]))[0]).toEqual(created);
  expect((await store.list({ limit: 10 })).data.find((e) => e.id === created.id)?.headers).toEqual(
    created.headers,
  );
});

test('rotation and updates keep every secret sealed, the old one in its grace period too', async () => {
  const store = storeWith([OLD]);
  const created = await create(store);
  const rotated = await store.rotateSecret(created.id, undefined, 60_000);
  await store.update(created.id, { headers: { Authorization: 'Bearer changed' } });
  const record = await stored(created.id);
  expect(record.secrets).toHaveLength(2);
  expect(secretValues(record).every(isSealed)).toBe(true);
  const read = (await store.get(created.id))!;
  expect(read.secrets.map((s) => s.key)).toEqual([rotated, created.secrets[0]!.key]);
  expect(read.headers).toEqual({ Authorization: 'Bearer changed' });
});

test('a v1a endpoint: its private key is sealed, its public key read through the opened key', async () => {
  const store = storeWith([OLD]);
  const created = await create(store, { signature: 'v1a' });
  const privateKey = created.secrets[0]!.key;
  expect(privateKey).toMatch(/^whsk_/);
  expect(await redis.get(keys.endpoint(created.id))).not.toContain(privateKey);
  const read = (await store.get(created.id))!;
  expect(verificationKey(read)).toBe(verificationKey(created));
});

test('a record written before sealing reads as plain, and its next write seals it', async () => {
  const store = storeWith([OLD]);
  const created = await create(store);
  const plain = JSON.stringify(created);
  await redis.set(keys.endpoint(created.id), plain);
  expect(await store.get(created.id)).toEqual(created);

  await store.update(created.id, { description: 'touched' });
  const record = await stored(created.id);
  expect(secretValues(record).every((v) => v.startsWith(`hls1:${sealingKeyId(OLD)}:`))).toBe(true);
  expect((await store.get(created.id))!.secrets).toEqual(created.secrets);
});

test('a process without the key that sealed a record refuses to read it, naming the key id', async () => {
  const created = await create(storeWith([OLD]));
  await expect(storeWith([NEW]).get(created.id)).rejects.toThrow(SealingError);
  await expect(storeWith([NEW]).get(created.id)).rejects.toThrow(sealingKeyId(OLD));
});

describe('reseal', () => {
  const resealPrefix = testPrefix('reseal');
  const resealKeys = redisKeys(resealPrefix, TEST_REDIS.shards);
  const store = (encryptionKeys: Buffer[], connection: Redis = redis) =>
    new EndpointStore(connection, resealKeys, new Sealer(encryptionKeys));
  afterAll(() => cleanupPrefix(resealPrefix));

  test('moves every secret to the first key, leaves the rest as it was, and a process with only the new key then reads them', async () => {
    const old = store([OLD]);
    const endpoints = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        create(old, i === 0 ? { signature: 'v1a' } : { description: `n${i}` }),
      ),
    );
    await old.rotateSecret(endpoints[1]!.id, undefined, 60_000);
    // One written before sealing existed, plain.
    const legacy = await create(old);
    await redis.set(resealKeys.endpoint(legacy.id), JSON.stringify(legacy));
    const before = await Promise.all([...endpoints, legacy].map((e) => old.get(e.id)));

    const rotated = store([NEW, OLD]);
    expect(await rotated.resealAll()).toEqual({ resealed: 6, already_current: 0 });
    expect(await rotated.resealAll()).toEqual({ resealed: 0, already_current: 6 });

    for (const e of [...endpoints, legacy]) {
      const record = SealedEndpoint.parse(
        JSON.parse((await redis.get(resealKeys.endpoint(e.id)))!),
      );
      for (const value of secretValues(record))
        expect(value).toMatch(new RegExp(`^hls1:${sealingKeyId(NEW)}:`));
    }
    // The old key dropped: every endpoint reads the same as before, updated_at included.
    const after = await Promise.all([...endpoints, legacy].map((e) => store([NEW]).get(e.id)));
    expect(after).toEqual(before);
  });

  test('keeps a change made between its read and its write (compare-and-set, then again)', async () => {
    const old = store([OLD]);
    const created = await create(old);
    // A connection whose first read of the endpoint lets another process update it before the
    // reseal writes: the reseal's write must fail and go again over the update.
    let raced = false;
    const racing = new Proxy(redis, {
      get(target, property, receiver) {
        if (property === 'get')
          return async (key: string) => {
            const raw = await target.get(key);
            if (!raced && key === resealKeys.endpoint(created.id)) {
              raced = true;
              await old.update(created.id, { description: 'meanwhile' });
            }
            return raw;
          };
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    expect(await store([NEW, OLD], racing).reseal(created.id)).toBe('resealed');
    expect(raced).toBe(true);
    const read = (await store([NEW]).get(created.id))!;
    expect(read.description).toBe('meanwhile');
    expect(read.secrets).toEqual(created.secrets);
  });

  test('an endpoint deleted meanwhile is neither counted nor brought back', async () => {
    const old = store([OLD]);
    const created = await create(old);
    await old.delete(created.id);
    expect(await store([NEW, OLD]).reseal(created.id)).toBe('gone');
    expect(await redis.exists(resealKeys.endpoint(created.id))).toBe(0);
  });
});
