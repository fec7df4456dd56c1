import { randomBytes } from 'node:crypto';
import { redisKeys, shardTags } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Redis } from 'ioredis';
import { TestRedisCluster } from '@hookline/core/testing-cluster';
import { createTestLog, type TestLog } from '@hookline/core/testing-log';
import { Receiver } from './receiver';
import { ServicePair } from './services';

// A producer and a dispatcher (the built processes) on a Redis Cluster of 3 masters with 12
// shards spread the work over every master (README, "Redis Cluster and shards"): after a few
// thousand publishes and deliveries, each master has appended a fair part of the changes (an
// event's and its deliveries' changes go to the change stream of their shard, the shard their
// jobs live in while they move) and has served a fair part of the commands. A fair part: at least
// 15% of either on each of 3 masters.
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
let log: TestLog | undefined;
let pair: ServicePair | undefined;
let receiver: Receiver | undefined;

afterAll(async () => {
  await pair?.stop();
  await receiver?.close();
  await cluster?.destroy();
  await log?.drop();
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

/** How many entries were ever appended to a stream (`entries-added` of XINFO STREAM, Redis 7). */
async function entriesAdded(redis: Redis, stream: string): Promise<number> {
  const info = (await redis.xinfo('STREAM', stream)) as unknown[];
  return Number(info[info.indexOf('entries-added') + 1]);
}

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

test(`${EVENTS} deliveries on 3 masters and ${SHARDS} shards: each master appends at least 15% of the changes and serves at least 15% of the commands`, async () => {
  cluster = await TestRedisCluster.start({ masters: 3 });
  log = await createTestLog('cluster_spread');
  receiver = await Receiver.start();
  pair = await ServicePair.start(
    {
      redisUrl: cluster.seedUrls.join(','),
      redisCluster: true,
      shards: SHARDS,
      queuePrefix: PREFIX,
      logUrl: log.url,
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

  const calls = await Promise.all(
    masters.map(({ url }) =>
      onNode(url, async (redis) => commandCalls(await redis.info('commandstats'))),
    ),
  );
  const totalCalls = calls.reduce((a, b) => a + b, 0);
  const shardSlots = await onNode(masters[0]!.url, (redis) =>
    Promise.all(
      Array.from({ length: SHARDS }, async (_, n) =>
        Number(await redis.cluster('KEYSLOT', shardTags(PREFIX, SHARDS)[n]!)),
      ),
    ),
  );
  const keys = redisKeys(PREFIX, SHARDS);
  const owned = masters.map((master) =>
    shardSlots.flatMap((slot, n) =>
      master.slots.some(([first, last]) => first <= slot && slot <= last) ? [n] : [],
    ),
  );
  // The change streams are empty by now (the log has every change), but they count what went
  // through them.
  const changes = await Promise.all(
    masters.map(({ url }, i) =>
      onNode(url, async (redis) => {
        const added = await Promise.all(owned[i]!.map((n) => entriesAdded(redis, keys.changes(n))));
        return added.reduce((a, b) => a + b, 0);
      }),
    ),
  );
  const totalChanges = changes.reduce((a, b) => a + b, 0);
  const rows = masters.map((master, i) => ({
    port: master.port,
    shards: owned[i]!,
    changesShare: changes[i]! / totalChanges,
    callsShare: calls[i]! / totalCalls,
  }));
  console.info(
    `cluster spread (${EVENTS} deliveries, ${SHARDS} shards):\n${rows
      .map(
        (r) =>
          `  master :${r.port} shards [${r.shards.join(',')}]: ${percent(r.changesShare)} of ${totalChanges} changes, ${percent(r.callsShare)} of ${totalCalls} commands`,
      )
      .join('\n')}`,
  );

  expect(receiver.countsById().size).toBe(EVENTS);
  // An event and a delivery attempt each append one change: at least one per publish and one
  // per delivery.
  expect(totalChanges).toBeGreaterThanOrEqual(2 * EVENTS);
  expect(rows.filter((r) => r.changesShare < MIN_SHARE)).toEqual([]);
  expect(rows.filter((r) => r.callsShare < MIN_SHARE)).toEqual([]);
}, 180_000);
