import { lineFigures } from './ordering/line-figures';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { Deliveries } from './deliveries';
import { EndpointStore } from './catalog/endpoint-store';
import { DeliveryJobAdds } from './in-flight/delivery-job-adds';
import { InFlightStore } from './in-flight/in-flight-store';
import { Publisher } from './in-flight/publish';
import { logLagSeconds } from './log/log-writer';
import type { LogStore } from './log/log-store';
import { createPostgresLogStore } from './log/postgres/postgres-log-store';
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from './in-flight/idempotency-store';
import { QUEUE_STATES, type MetricsSources } from './metrics';
import { redisKeys, type RedisKeys } from './redis/keys';
import { OperatorKeyStore } from './catalog/operator-key-store';
import { TenantStore } from './catalog/tenant-store';
import { TenantBudgets } from './catalog/tenant-budgets';
import { createQueues, type Queues } from './queues';
import { coalesceWrites } from './redis/coalesce-writes';
import { createRedis, duplicateRedis, isCluster, type RedisRole } from './redis/redis';
import { Transactions } from './bullmq/transactions';
import { Sealer } from './sealing/sealer';

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
  /** Seals what Hookline keeps of a secret in Redis, and opens it (sealing/sealer.ts). */
  sealer: Sealer;
  endpoints: EndpointStore;
  tenants: TenantStore;
  /** Operator keys made through the API (catalog/operator-key-store.ts). */
  operatorKeys: OperatorKeyStore;
  /** What tenant keys spend per minute: retries and test sends (catalog/tenant-budgets.ts). */
  budgets: TenantBudgets;
  /** Accepts events: their changes and their deliveries' jobs (in-flight/publish.ts). */
  publisher: Publisher;
  /** Deliveries and events read by id, and requeued (deliveries.ts). */
  deliveries: Deliveries;
  /** Deliveries while they move: their jobs (in-flight/in-flight-store.ts). */
  inFlight: InFlightStore;
  /** What happened: events, deliveries, attempts, the dead letter (log/log-store.ts). */
  log: LogStore;
  idempotency: IdempotencyStore;
  /** Resolves once the connection is up (API connections refuse commands until then). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export type ContextConfig = Pick<
  Config,
  'redisUrl' | 'queuePrefix' | 'retentionMs' | 'disableAfterMs' | 'logUrl' | 'encryptionKeys'
> &
  Partial<Pick<Config, 'redisCluster' | 'shards'>>;

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
  log: LogStore = createPostgresLogStore(config.logUrl, { retentionMs: config.retentionMs }),
): HooklineContext {
  const keys = redisKeys(config.queuePrefix, config.shards ?? 1);
  const bullmq = bullmqConnection(redis, role);
  const queues = createQueues(keys, bullmq);
  const transactions = new Transactions(redis, () => queues.catalog.operational.backend.client);
  const jobs = new DeliveryJobAdds(queues, transactions);
  const inFlight = new InFlightStore(redis, keys, queues, jobs, config);
  const sealer = new Sealer(config.encryptionKeys);
  const endpoints = new EndpointStore(redis, keys, sealer, () => transactions.open());
  return {
    redis,
    bullmq,
    keys,
    queues,
    sealer,
    endpoints,
    tenants: new TenantStore(redis, keys, log),
    operatorKeys: new OperatorKeyStore(redis, keys),
    budgets: new TenantBudgets(redis, keys),
    publisher: new Publisher(redis, keys, queues, jobs, log),
    deliveries: new Deliveries(redis, keys, inFlight, log, jobs, endpoints),
    inFlight,
    log,
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
      await log.close();
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
    deadLetterSize: () => context.log.count({ dead_letter: true }),
    logLag: () => logLagSeconds(context.redis, context.keys),
    lines: () => lineFigures(context.redis, context.keys),
  };
}
