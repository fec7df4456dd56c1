import { Cluster, Redis } from 'ioredis';
import { TestRedisCluster } from '../src/testing-cluster';

// TestRedisCluster against real redis-server processes: a 3-master, 1-replica cluster spreads
// keys over every master, survives the SIGKILL of a master once its replica takes over, and takes
// the killed node back as a replica when it is restarted.

let cluster: TestRedisCluster | undefined;
let client: Cluster | undefined;

afterEach(async () => {
  client?.disconnect();
  client = undefined;
  await cluster?.destroy();
  cluster = undefined;
});

function seeds(urls: string[]): { host: string; port: number }[] {
  return urls.map((url) => {
    const { hostname, port } = new URL(url);
    return { host: hostname, port: Number(port) };
  });
}

/** DBSIZE of one node, on a connection of its own. */
async function dbsize(url: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    return await redis.dbsize();
  } finally {
    redis.disconnect();
  }
}

/** Writes through `url` (a master) one more key in `tag`'s slot and waits until a replica has it. */
async function replicated(url: string, tag: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    await redis.set(`${tag}:fence`, '1');
    return await redis.wait(1, 5_000);
  } finally {
    redis.disconnect();
  }
}

it('spreads keys over every master, fails a killed master over to its replica and takes it back', async () => {
  cluster = await TestRedisCluster.start({ masters: 3, replicas: 1 });
  expect(cluster.nodes).toHaveLength(6);
  expect(cluster.seedUrls).toHaveLength(3);

  client = new Cluster(seeds(cluster.seedUrls));
  for (let i = 0; i < 1000; i++) await client.set(`{k:${i % 100}}:${i}`, String(i));

  const masters = await cluster.masters();
  expect(masters).toHaveLength(3);
  const sizes = await Promise.all(masters.map(({ url }) => dbsize(url)));
  for (const size of sizes) expect(size).toBeGreaterThan(0);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000);

  const slot = await client.cluster('KEYSLOT', '{k:0}');
  const doomed = await cluster.masterOf(slot);
  expect(await replicated(doomed.url, '{k:0}')).toBe(1);

  await cluster.kill(doomed.port);
  await cluster.waitHealthy(30_000); // node timeout (2 s) + election: about 4 s here

  const promoted = await cluster.masterOf(slot);
  expect(promoted.port).not.toBe(doomed.port);
  expect((await cluster.masters()).map(({ port }) => port)).not.toContain(doomed.port);
  expect(await client.get('{k:0}:0')).toBe('0');
  expect(await client.get('{k:0}:900')).toBe('900');

  // Started again with its own cluster config file, the old master rejoins as a replica of the
  // new one and copies its data.
  await cluster.restart(doomed.port);
  await cluster.waitHealthy(30_000);
  expect((await cluster.masters()).map(({ port }) => port)).not.toContain(doomed.port);
  expect(await dbsize(doomed.url)).toBe(await dbsize(promoted.url));
}, 90_000);
