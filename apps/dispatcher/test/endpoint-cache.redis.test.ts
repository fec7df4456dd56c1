import type { StoredEndpoint } from '@hookline/core';
import { EndpointCache } from '../src/endpoint-cache';
import { Harness } from './harness';

// The cache against the real endpoint store on the real Redis. A read can be held between its
// answer from Redis and its caller (until the test releases it), so "a read in flight while the
// endpoint changes" happens every time, not by luck of timing.

const OLD = 'http://127.0.0.1:1/old';
const NEW = 'http://127.0.0.1:1/new';

let h: Harness;
beforeEach(async () => {
  h = await Harness.create();
});
afterEach(() => h.close());

/** The real store, counting reads; a read started while `hold` is set waits for `release()`. */
function heldStore() {
  const held: (() => void)[] = [];
  const store = {
    reads: 0,
    hold: false,
    fail: false,
    async get(id: string): Promise<StoredEndpoint | undefined> {
      store.reads += 1;
      const hold = store.hold;
      const fail = store.fail;
      const value = await h.api.endpoints.get(id);
      if (hold) await new Promise<void>((resolve) => held.push(resolve));
      if (fail) throw new Error('read failed');
      return value;
    },
    release() {
      for (const resolve of held.splice(0)) resolve();
    },
    /** Starts a read through `cache` and resolves once Redis has answered it (it is then held). */
    async startHeldRead(cache: EndpointCache, id: string) {
      store.hold = true;
      const read = cache.get(id);
      read.catch(() => undefined);
      store.hold = false;
      while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));
      return { read };
    },
  };
  return store;
}

async function setUp() {
  const ep = await h.createEndpoint({ url: OLD });
  const store = heldStore();
  const cache = new EndpointCache(store, { ttlMs: 60_000 });
  cache.setListening(true);
  return { ep, store, cache };
}

test('a read in flight when its endpoint is invalidated is not kept: the next get reads the change', async () => {
  const { ep, store, cache } = await setUp();
  const { read } = await store.startHeldRead(cache, ep.id);
  await h.api.endpoints.update(ep.id, { url: NEW });
  cache.invalidate(ep.id);
  store.release();

  // The caller that asked before the change gets what Redis said then...
  expect((await read)?.url).toBe(OLD);
  // ...and nobody after the invalidation does.
  expect((await cache.get(ep.id))?.url).toBe(NEW);
  expect(store.reads).toBe(2);
  expect((await cache.get(ep.id))?.url).toBe(NEW);
  expect(store.reads).toBe(2);
});

test('a read in flight when the subscription comes back is not kept either', async () => {
  const { ep, store, cache } = await setUp();
  const { read } = await store.startHeldRead(cache, ep.id);
  await h.api.endpoints.rotateSecret(ep.id, undefined, 60_000);
  cache.setListening(true);
  store.release();

  expect((await read)?.secrets).toHaveLength(1);
  expect((await cache.get(ep.id))?.secrets).toHaveLength(2);
  expect(store.reads).toBe(2);
});

test('a read that fails after an invalidation does not evict the newer read', async () => {
  const { ep, store, cache } = await setUp();
  store.fail = true;
  const { read } = await store.startHeldRead(cache, ep.id);
  store.fail = false;
  cache.invalidate(ep.id);
  expect((await cache.get(ep.id))?.url).toBe(OLD);
  store.release();
  await expect(read).rejects.toThrow('read failed');

  expect((await cache.get(ep.id))?.url).toBe(OLD);
  expect(store.reads).toBe(2);
});

test('a failed read is not cached: the next get asks Redis again', async () => {
  const { ep, store, cache } = await setUp();
  store.fail = true;
  await expect(cache.get(ep.id)).rejects.toThrow('read failed');
  store.fail = false;
  expect((await cache.get(ep.id))?.url).toBe(OLD);
  expect(store.reads).toBe(2);
});

test('concurrent gets of an endpoint share one read, and it is reused until the TTL passes', async () => {
  const ep = await h.createEndpoint({ url: OLD });
  const store = heldStore();
  let now = 1_000;
  const cache = new EndpointCache(store, { ttlMs: 5_000, now: () => now });
  cache.setListening(true);
  await Promise.all([cache.get(ep.id), cache.get(ep.id), cache.get(ep.id)]);
  expect(store.reads).toBe(1);
  now += 4_999;
  await cache.get(ep.id);
  expect(store.reads).toBe(1);
  now += 1;
  await cache.get(ep.id);
  expect(store.reads).toBe(2);
});

test('while changes are not heard, nothing is cached: every get reads Redis', async () => {
  const { ep, store, cache } = await setUp();
  await cache.get(ep.id);
  cache.setListening(false);
  await cache.get(ep.id);
  await cache.get(ep.id);
  expect(store.reads).toBe(3);
  cache.setListening(true);
  await cache.get(ep.id);
  await cache.get(ep.id);
  expect(store.reads).toBe(4);
});

test('a deleted endpoint reads as missing once invalidated', async () => {
  const { ep, cache } = await setUp();
  expect(await cache.get(ep.id)).toBeDefined();
  await h.api.endpoints.delete(ep.id);
  cache.invalidate(ep.id);
  expect(await cache.get(ep.id)).toBeUndefined();
});
