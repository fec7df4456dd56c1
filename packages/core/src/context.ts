import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { DeliveryStore } from './delivery-store';
import { EndpointStore } from './endpoint-store';
import { EventStore } from './event-store';
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from './idempotency-store';
import { QUEUE_STATES, type MetricsSources } from './metrics';
import { redisKeys, type RedisKeys } from './keys';
import { TenantStore } from './tenant-store';
import { createQueue } from './queues';
import { coalesceWrites } from './coalesce-writes';
import { createRedis, duplicateRedis, isCluster, type RedisRole } from './redis';
import { Transactions } from './transactions';

/** A shard's queues (keys.ts): its deliveries, its fan-out recovery jobs, its reports. */
export interface ShardQueues {
  shard: number;
  deliveries: Queue;
  fanout: Queue;
  operational: Queue;
}

/**
 * Every queue of a deployment: each shard's, and the catalog's `operational` queue, where an
 * endpoint's disable is reported in the same transaction as the endpoint write.
 */
export interface Queues {
  shards: ShardQueues[];
  catalog: { operational: Queue };
  /** The queues of the shard an event's or a delivery's id names. */
  of(id: string): ShardQueues;
  /** Every queue, with the name of its kind (`deliveries`, `fanout`, `operational`). */
  all(): { name: 'deliveries' | 'fanout' | 'operational'; queue: Queue }[];
}

/**
 * Everything a Hookline process reaches Redis through: Hookline's connection (the stores'), the
 * queues on BullMQ's, and the stores.
 */
export interface HooklineContext {
  /** The stores' connection: Hookline's scripts and BullMQ's job-add scripts only (transactions.ts). */
  redis: Redis;
  /**
   * BullMQ's connection: the queues', and the one a process's workers are given. Kept apart from
   * {@link redis} because BullMQ loads some 70 scripts into its connection, and every ioredis
   * pipeline or transaction copies all of its connection's scripts when it is made.
   */
  bullmq: Redis;
  keys: RedisKeys;
  queues: Queues;
  endpoints: EndpointStore;
  events: EventStore;
  tenants: TenantStore;
  deliveries: DeliveryStore;
  idempotency: IdempotencyStore;
  /** Resolves once the connection is up (API connections refuse commands until then). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export type ContextConfig = Pick<
  Config,
  'redisUrl' | 'queuePrefix' | 'retentionMs' | 'disableAfterMs'
> &
  Partial<Pick<Config, 'redisCluster' | 'shards'>>;

function createQueues(keys: RedisKeys, redis: Redis): Queues {
  const shards = keys.allShards.map((shard) => ({
    shard,
    deliveries: createQueue('deliver', redis, keys.shard(shard)),
    fanout: createQueue('fanout', redis, keys.shard(shard)),
    operational: createQueue('operational', redis, keys.shard(shard)),
  }));
  const catalog = { operational: createQueue('operational', redis, keys.catalog) };
  const all = () => [
    ...shards.flatMap((s) => [
      { name: 'deliveries' as const, queue: s.deliveries },
      { name: 'fanout' as const, queue: s.fanout },
      { name: 'operational' as const, queue: s.operational },
    ]),
    { name: 'operational' as const, queue: catalog.operational },
  ];
  for (const { queue } of all()) queue.on('error', () => undefined);
  return { shards, catalog, of: (id) => shards[keys.shardOf(id)]!, all };
}

/** BullMQ's connection ({@link HooklineContext.bullmq}): the settings of `redis`. */
function bullmqConnection(redis: Redis, role: RedisRole): Redis {
  const connection = duplicateRedis(redis, {
    connectionName: `${redis.options.connectionName ?? 'hookline'}-bullmq`,
  });
  // As createRedis does: ioredis emits 'error' on every failed reconnect; a worker's writes are
  // coalesced (coalesce-writes.ts).
  connection.on('error', () => undefined);
  if (role === 'worker' && !isCluster(connection)) coalesceWrites(connection);
  return connection;
}

/** Resolves once `redis` is up (API connections refuse commands until then). */
async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function createContext(
  config: ContextConfig,
  role: RedisRole,
  redis: Redis = createRedis({ url: config.redisUrl, cluster: config.redisCluster }, role),
): HooklineContext {
  const keys = redisKeys(config.queuePrefix, config.shards ?? 1);
  const bullmq = bullmqConnection(redis, role);
  const queues = createQueues(keys, bullmq);
  const transactions = new Transactions(redis, () => queues.catalog.operational.backend.client);
  const deliveries = new DeliveryStore(redis, keys, queues, config, transactions);
  return {
    redis,
    bullmq,
    keys,
    queues,
    endpoints: new EndpointStore(redis, keys, () => deliveries.multi()),
    events: new EventStore(redis, keys, config),
    tenants: new TenantStore(redis, keys, deliveries),
    deliveries,
    idempotency: new IdempotencyStore(
      redis,
      keys,
      Math.min(IDEMPOTENCY_TTL_MS, config.retentionMs),
    ),
    async ready(timeoutMs = 10_000) {
      await Promise.all([redis, bullmq].map((c) => whenReady(c, timeoutMs)));
    },
    async close() {
      await Promise.allSettled(queues.all().map(({ queue }) => queue.close()));
      bullmq.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * What the scrape-time gauges read, for either service: job counts per kind of queue, summed over
 * the shards, and the dead letter's size, summed likewise.
 */
export function metricSources(context: HooklineContext): MetricsSources {
  return {
    queueCounts: async () => {
      const counts = await Promise.all(
        context.queues.all().map(async ({ name, queue }) => ({
          name,
          counts: await queue.getJobCounts(...QUEUE_STATES),
        })),
      );
      const sums: Record<string, Record<string, number>> = {};
      for (const { name, counts: byState } of counts) {
        const sum = (sums[name] ??= {});
        for (const [state, n] of Object.entries(byState)) sum[state] = (sum[state] ?? 0) + n;
      }
      return sums;
    },
    deadLetterSize: () => context.deliveries.deadLetterSize(),
  };
}
