import { randomBytes } from 'node:crypto';
import { shardTags } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Redis } from 'ioredis';
import { TestRedisCluster } from '@hookline/core/testing-cluster';
import { Receiver } from './receiver';
import { ServicePair } from './services';

// A producer and a dispatcher (the built processes) on a Redis Cluster of 3 masters with 12
// shards spread the work over every master (README, "Redis Cluster and shards"): after a few
// thousand publishes and deliveries, each master holds a fair part of Hookline's keys and has
// served a fair part of the commands. A fair part: at least 15% of either on each of 3 masters.
//
// The prefix is the default, `hookline`, what deployments get; its shard tags are chosen to fall
// evenly over the slot space (keys.ts `shardTags`).

const PREFIX = 'hookline';
const SHARDS = 12;
const EVENTS = 3_000;
/** Publishes at a time. Each publishes one event: each picks its shard (slot) at random. */
const PARALLEL = 8;
const MIN_SHARE = 0.15;

let cluster: TestRedisCluster | undefined;
let pair: ServicePair | undefined;
let receiver: Receiver | undefined;

afterAll(async () => {
  await pair?.stop();
  await receiver?.close();
  await cluster?.destroy();
});

/** A plain connection to one node, for one look at it. */
async function onNode<T>(url: string, run: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await run(redis);
  } finally {
    redis.disconnect();
  }
}

/** The commands a node has served since its last CONFIG RESETSTAT: `calls` of INFO commandstats, summed. */
function commandCalls(info: string): number {
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

/** Keys of the prefix (the catalog's `{hookline}…` and every shard's `{hookline:<n>}…`) on one node. */
async function prefixKeys(redis: Redis): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${PREFIX}[}:]*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

test(`${EVENTS} deliveries on 3 masters and ${SHARDS} shards: each master holds at least 15% of the keys and serves at least 15% of the commands`, async () => {
  cluster = await TestRedisCluster.start({ masters: 3 });
  receiver = await Receiver.start();
  pair = await ServicePair.start(
    {
      redisUrl: cluster.seedUrls.join(','),
      redisCluster: true,
      shards: SHARDS,
      queuePrefix: PREFIX,
    },
    randomBytes(24).toString('hex'),
    { HOOKLINE_CONCURRENCY: '48' },
  );
  const endpoint = await pair.api<{ id: string }>('POST', '/v1/endpoints', {
    url: receiver.url(),
  });
  expect(endpoint.status).toBe(201);

  // Counted from here: the publishes, the deliveries, and what the processes do meanwhile.
  const masters = await cluster.masters();
  expect(masters).toHaveLength(3);
  await Promise.all(masters.map(({ url }) => onNode(url, (redis) => redis.config('RESETSTAT'))));

  let next = 0;
  const refused: number[] = [];
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < EVENTS) {
        const i = next++;
        const answer = await pair!.api('POST', '/v1/events', {
          name: 'order.filled',
          data: { i },
          endpoint_ids: [endpoint.body.id],
        });
        if (answer.status !== 202) refused.push(answer.status);
      }
    }),
  );
  expect(refused).toEqual([]);
  await waitFor(() => receiver!.countsById().size >= EVENTS, {
    timeoutMs: 120_000,
    intervalMs: 100,
    message: `all ${EVENTS} deliveries to arrive`,
  });

  // The commands first (the SCAN below would count), then the keys. The deliveries' and the
  // events' keys stay for the retention (7 days by default): all of them are still there.
  const calls = await Promise.all(
    masters.map(({ url }) =>
      onNode(url, async (redis) => commandCalls(await redis.info('commandstats'))),
    ),
  );
  const keys = await Promise.all(masters.map(({ url }) => onNode(url, prefixKeys)));
  const totalCalls = calls.reduce((a, b) => a + b, 0);
  const totalKeys = keys.reduce((a, b) => a + b, 0);
  const shardSlots = await onNode(masters[0]!.url, (redis) =>
    Promise.all(
      Array.from({ length: SHARDS }, async (_, n) =>
        Number(await redis.cluster('KEYSLOT', shardTags(PREFIX, SHARDS)[n]!)),
      ),
    ),
  );
  const rows = masters.map((master, i) => ({
    port: master.port,
    shards: shardSlots.flatMap((slot, n) =>
      master.slots.some(([first, last]) => first <= slot && slot <= last) ? [n] : [],
    ),
    keys: keys[i]!,
    keysShare: keys[i]! / totalKeys,
    calls: calls[i]!,
    callsShare: calls[i]! / totalCalls,
  }));
  console.info(
    `cluster spread (${EVENTS} deliveries, ${SHARDS} shards):\n${rows
      .map(
        (r) =>
          `  master :${r.port} shards [${r.shards.join(',')}]: ${percent(r.keysShare)} of ${totalKeys} keys, ${percent(r.callsShare)} of ${totalCalls} commands`,
      )
      .join('\n')}`,
  );

  expect(receiver.countsById().size).toBe(EVENTS);
  expect(rows.filter((r) => r.keysShare < MIN_SHARE)).toEqual([]);
  expect(rows.filter((r) => r.callsShare < MIN_SHARE)).toEqual([]);
}, 180_000);
