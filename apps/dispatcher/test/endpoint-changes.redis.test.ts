import type { Cluster } from 'ioredis';
import { createLogger, createRedis } from '@hookline/core';
import { TEST_REDIS_CLUSTER, TEST_REDIS_URL, waitFor } from '@hookline/core/testing';
import { EndpointCache } from '../src/endpoint-cache';
import { listenForEndpointChanges, type EndpointChanges } from '../src/endpoint-changes';
import { Harness } from './harness';
import { TcpProxy } from './tcp-proxy';

// Endpoint writes announce themselves on a pub/sub channel, and a dispatcher's listener empties
// its cached copy on each announcement, on the real Redis.

const OLD = 'http://127.0.0.1:1/old';
const logger = createLogger('silent', 'endpoint-changes-test');

let h: Harness;
const cleanups: (() => Promise<unknown> | void)[] = [];
beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h.close();
});

/** Subscribers of the changes channel, on every node (a cluster client subscribes on one of them). */
async function subscribers(): Promise<number> {
  const redis = h.api.redis;
  const nodes = redis.isCluster ? (redis as unknown as Cluster).nodes('master') : [redis];
  const counts = await Promise.all(
    nodes.map(
      async (node) => (await node.pubsub('NUMSUB', h.api.keys.endpointChanges)) as [string, number],
    ),
  );
  return counts.reduce((sum, [, count]) => sum + Number(count), 0);
}

/** A cache over the real store (counting reads) with a listener on a connection to `url`. */
function listeningCache(url = TEST_REDIS_URL, cluster = TEST_REDIS_CLUSTER) {
  const store = {
    reads: 0,
    get(id: string) {
      store.reads += 1;
      return h.api.endpoints.get(id);
    },
  };
  const cache = new EndpointCache(store, { ttlMs: 60_000 });
  const redis = createRedis({ url, cluster }, 'worker');
  const changes: EndpointChanges = listenForEndpointChanges({
    redis,
    channel: h.api.keys.endpointChanges,
    cache,
    logger,
  });
  cleanups.push(
    () => redis.disconnect(),
    () => changes.close(),
  );
  /** Whether the cache keeps what it reads now (it does only while the subscription is in place). */
  const caching = async (id: string) => {
    const before = store.reads;
    await cache.get(id);
    await cache.get(id);
    return store.reads - before < 2;
  };
  return { store, cache, caching };
}

test('every endpoint write publishes the endpoint id (create, update, disable, rotate, delete), and a write that does not happen publishes nothing', async () => {
  const listener = createRedis({ url: TEST_REDIS_URL, cluster: TEST_REDIS_CLUSTER }, 'worker');
  cleanups.push(() => listener.disconnect());
  const messages: string[] = [];
  listener.on('message', (_channel: string, id: string) => messages.push(id));
  await listener.subscribe(h.api.keys.endpointChanges);

  const ep = await h.createEndpoint({ url: OLD });
  await h.api.endpoints.update(ep.id, { url: 'http://127.0.0.1:1/new' });
  await h.api.endpoints.disable(ep.id, 'test');
  // Already disabled: nothing written, nothing announced.
  await h.api.endpoints.disable(ep.id, 'test again');
  await h.api.endpoints.rotateSecret(ep.id, undefined, 60_000);
  // A compare-and-set that finds the endpoint changed since it read it (here by a raw write,
  // which announces nothing) writes nothing and announces nothing; its retry writes, once.
  let tries = 0;
  await h.api.endpoints.mutate(ep.id, (current) => {
    tries += 1;
    if (tries === 1)
      void h.api.redis.set(
        h.api.keys.endpoint(ep.id),
        JSON.stringify({ ...current, description: 'meanwhile' }),
      );
    return { ...current, description: `try ${tries}` };
  });
  expect(tries).toBe(2);
  await h.api.endpoints.delete(ep.id);

  // Messages on one channel arrive in order: once the delete's is in, any other would be too.
  await waitFor(() => messages.length >= 6, { message: 'six announcements' });
  expect(messages).toEqual(Array(6).fill(ep.id));
  expect(await h.api.endpoints.get(ep.id)).toBeUndefined();
});

test('a listening cache forgets an endpoint as soon as it changes, long before its TTL', async () => {
  const ep = await h.createEndpoint({ url: OLD });
  const { cache, caching } = listeningCache();
  await waitFor(() => caching(ep.id), { message: 'the subscription' });

  await h.api.endpoints.update(ep.id, { url: 'http://127.0.0.1:1/new' });
  await waitFor(async () => (await cache.get(ep.id))?.url === 'http://127.0.0.1:1/new', {
    message: 'the new URL',
  });
  await h.api.endpoints.rotateSecret(ep.id, undefined, 60_000);
  await waitFor(async () => (await cache.get(ep.id))?.secrets.length === 2, {
    message: 'the new secret',
  });
  await h.api.endpoints.delete(ep.id);
  await waitFor(async () => (await cache.get(ep.id)) === undefined, { message: 'the delete' });
});

test('while its subscription is down the cache keeps nothing, so a change announced then is not missed; back up, it caches and listens again', async () => {
  const ep = await h.createEndpoint({ url: OLD });
  // A plain connection through the proxy to the suite's Redis (to a cluster's first seed node:
  // a message published on any node of a Redis Cluster reaches the subscribers of every node).
  const proxy = await TcpProxy.start(Number(new URL(TEST_REDIS_URL.split(',')[0]!).port || 6379));
  cleanups.push(() => proxy.close());
  const { cache, caching } = listeningCache(proxy.url, false);
  await waitFor(() => caching(ep.id), { message: 'the subscription' });
  expect((await cache.get(ep.id))?.url).toBe(OLD);

  proxy.cut();
  await waitFor(async () => !(await caching(ep.id)), { message: 'the cache to stop caching' });
  // Announced while nobody listens: lost, and it must not matter.
  await h.api.endpoints.update(ep.id, { url: 'http://127.0.0.1:1/while-down' });
  expect((await cache.get(ep.id))?.url).toBe('http://127.0.0.1:1/while-down');

  proxy.mend();
  await waitFor(() => caching(ep.id), { message: 'the subscription to come back' });
  await h.api.endpoints.update(ep.id, { url: 'http://127.0.0.1:1/after' });
  await waitFor(async () => (await cache.get(ep.id))?.url === 'http://127.0.0.1:1/after', {
    message: 'the change made after the subscription came back',
  });
});

test('a dispatcher subscribes to endpoint changes and its close() unsubscribes', async () => {
  const dispatcher = h.startDispatcher();
  await waitFor(async () => (await subscribers()) === 1, { message: 'the subscription' });
  h.dispatchers.splice(h.dispatchers.indexOf(dispatcher), 1);
  await dispatcher.close();
  await waitFor(async () => (await subscribers()) === 0, { message: 'the unsubscription' });
});
