import { Redis, type RedisOptions } from 'ioredis';
import { defineScripts } from './scripts';

export type RedisRole =
  /** BullMQ workers: block on the queue, so commands never time out and wait out reconnects. */
  | 'worker'
  /** The API and queue producers: fail fast, so a request gets a 503 instead of hanging. */
  | 'api';

/**
 * A Redis connection with the options each role needs, and Hookline's scripts loaded.
 * Never uses ioredis `keyPrefix`: BullMQ's `prefix` and {@link redisKeys} carry the prefix.
 */
export function createRedis(url: string, role: RedisRole, overrides: RedisOptions = {}): Redis {
  const common: RedisOptions = {
    connectionName: `hookline-${role}`,
    // Reconnect forever, backing off to 1 s: Redis restarts must heal without a process restart.
    retryStrategy: (times) => Math.min(50 * times, 1_000),
    lazyConnect: false,
  };
  const byRole: Record<RedisRole, RedisOptions> = {
    // Auto-pipelining sends the commands issued in one tick in one write: with 100 deliveries in
    // flight, their loads, state scripts and BullMQ calls share socket writes, which were the
    // dispatcher's largest cost in the drain profile.
    worker: { maxRetriesPerRequest: null, enableReadyCheck: false, enableAutoPipelining: true },
    api: {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 1_000,
      // A stalled Redis (SIGSTOP, a long fork) must not hold an API request past this.
      commandTimeout: 2_000,
    },
  };
  const redis = new Redis(url, { ...common, ...byRole[role], ...overrides });
  // ioredis emits 'error' on every failed reconnect; without a listener Node would crash.
  redis.on('error', () => undefined);
  defineScripts(redis);
  return redis;
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
