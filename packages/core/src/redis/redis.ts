import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesce-writes';
import { defineScripts } from '../scripts';

export type RedisRole =
  /** BullMQ workers: block on the queue, so commands never time out and wait out reconnects. */
  | 'worker'
  /** The API and queue producers: fail fast, so a request gets a 503 instead of hanging. */
  | 'api';

/** Where Redis is: one server's URL, or (cluster) seed nodes of a Redis Cluster, comma-separated. */
export interface RedisTarget {
  url: string;
  cluster?: boolean;
}

function byRole(role: RedisRole): RedisOptions {
  const options: Record<RedisRole, RedisOptions> = {
    // No auto-pipelining: ioredis makes each tick's batch an ioredis pipeline, which copies every
    // script its connection knows (~25 µs and ~12 KB on BullMQ's connection, with its ~70), and
    // the batches, alive until Redis answers, are promoted garbage: in the bench's drain the
    // dispatcher peaked at ~210 MB RSS with it and ~163 MB without, for a Redis CPU gain within
    // the noise.
    worker: { maxRetriesPerRequest: null, enableReadyCheck: false },
    api: {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 1_000,
      // A stalled Redis (SIGSTOP, a long fork) must not hold an API request past this.
      commandTimeout: 2_000,
    },
  };
  return options[role];
}

const COMMON: RedisOptions = {
  // Reconnect forever, backing off to 1 s: Redis restarts must heal without a process restart.
  retryStrategy: (times) => Math.min(50 * times, 1_000),
  lazyConnect: false,
};

/** ioredis options from a `redis://` / `rediss://` URL: credentials, database, TLS. */
function optionsFromUrl(url: string): RedisOptions & { host: string; port: number } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A Redis Cluster client with the options of a role. The per-node options (credentials, TLS,
 * timeouts) come from the first seed URL and the role; the cluster-wide ones (offline queue,
 * auto-pipelining, retries while slots move) are set here.
 */
function createCluster(urls: string[], role: RedisRole, overrides: RedisOptions): Cluster {
  const seeds = urls.map(optionsFromUrl);
  const { host: _host, port: _port, ...credentials } = seeds[0]!;
  const { enableAutoPipelining, enableOfflineQueue, ...perNode } = {
    ...byRole(role),
    ...overrides,
  };
  const options: ClusterOptions = {
    redisOptions: { ...COMMON, ...credentials, ...perNode },
    enableAutoPipelining: enableAutoPipelining ?? false,
    enableOfflineQueue: enableOfflineQueue ?? true,
    // Keep looking for the cluster forever, like a single connection reconnects forever.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    // While a master fails over, commands for its slots wait this long between tries.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    ...(role === 'api' ? {} : { enableReadyCheck: true }),
  };
  return new Cluster(
    seeds.map(({ host, port }) => ({ host, port })),
    options,
  );
}

/**
 * A Redis connection with the options each role needs, and Hookline's scripts loaded. With
 * `cluster`, the ioredis Cluster client: it has the same command surface (commands, pipelines and
 * transactions within one slot, scripts, pub/sub), which is all Hookline uses, so it is typed as
 * one connection everywhere else. Never uses ioredis `keyPrefix`: BullMQ's `prefix` and
 * {@link redisKeys} carry the prefix.
 */
export function createRedis(
  target: string | RedisTarget,
  role: RedisRole,
  overrides: RedisOptions = {},
): Redis {
  const { url, cluster = false } = typeof target === 'string' ? { url: target } : target;
  const named = { connectionName: `hookline-${role}`, ...overrides };
  const redis = cluster
    ? (createCluster(
        url.split(',').map((u) => u.trim()),
        role,
        named,
      ) as unknown as Redis)
    : new Redis(url, { ...COMMON, ...byRole(role), ...named });
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash.
  redis.on('error', () => undefined);
  defineScripts(redis);
  if (!cluster && role === 'worker') coalesceWrites(redis);
  return redis;
}

/** Whether a connection made by {@link createRedis} is a Redis Cluster client. */
export function isCluster(redis: Redis): boolean {
  return redis.isCluster;
}

/**
 * A second connection with the settings of `redis` and a few changed (a subscriber's): a Cluster
 * client copies itself with its own seed nodes, a single connection with its options.
 */
export function duplicateRedis(redis: Redis, overrides: RedisOptions): Redis {
  if (!isCluster(redis)) return redis.duplicate(overrides);
  const cluster = redis as unknown as Cluster;
  const { enableAutoPipelining, ...perNode } = overrides;
  return cluster.duplicate(undefined, {
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    redisOptions: { ...cluster.options.redisOptions, ...perNode },
  }) as unknown as Redis;
}

/** Whether Redis answers now, within `timeoutMs` (readiness probes). */
export async function redisAnswers(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return pong === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
