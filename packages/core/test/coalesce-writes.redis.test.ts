import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { coalesceWrites } from '../src/redis/coalesce-writes';
import { TEST_REDIS_CLUSTER, TEST_REDIS_URL, testPrefix } from '../src/testing';

// A single connection's behaviour: on a Redis Cluster run there is no one socket to look at.
const single = TEST_REDIS_CLUSTER ? describe.skip : describe;

/** How many times the connection's socket hands bytes to the system. */
function countWrites(redis: Redis): () => number {
  const socket = (redis as unknown as { stream: Socket }).stream as Socket & {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  let writes = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      writes += 1;
      original(...args);
    };
  }
  return () => writes;
}

single('coalesceWrites', () => {
  const prefix = testPrefix('coalesce');
  const connections: Redis[] = [];
  const connect = async (coalesced: boolean) => {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    connections.push(redis);
    await redis.connect();
    if (coalesced) coalesceWrites(redis);
    return redis;
  };
  afterAll(async () => {
    await connections[0]?.del(`${prefix}:n`);
    for (const redis of connections) redis.disconnect();
  });

  test('the commands of one turn leave in one write, and answer in order', async () => {
    const redis = await connect(true);
    const writes = countWrites(redis);
    const replies = await Promise.all(Array.from({ length: 50 }, () => redis.incr(`${prefix}:n`)));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(writes()).toBe(1);
    // The next turn's commands are a write of their own: nothing waits for a later one.
    expect(await redis.get(`${prefix}:n`)).toBe('50');
    expect(writes()).toBe(2);
  });

  test('without it, each command is a write (what the test above would see)', async () => {
    const redis = await connect(false);
    const writes = countWrites(redis);
    await Promise.all(Array.from({ length: 5 }, () => redis.ping()));
    expect(writes()).toBe(5);
  });

  test('an error reply reaches its own command only', async () => {
    const redis = await connect(true);
    const [ok, failed, after] = await Promise.allSettled([
      redis.set(`${prefix}:n`, 'x'),
      redis.incr(`${prefix}:n`),
      redis.get(`${prefix}:n`),
    ]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'OK' });
    expect(failed.status).toBe('rejected');
    expect(after).toEqual({ status: 'fulfilled', value: 'x' });
  });
});
