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
import { createRedis, type RedisRole } from './redis';

/** Everything a Hookline process reaches Redis through: one connection, the queues, the stores. */
export interface HooklineContext {
  redis: Redis;
  keys: RedisKeys;
  queues: { deliveries: Queue; fanout: Queue; operational: Queue };
  endpoints: EndpointStore;
  events: EventStore;
  tenants: TenantStore;
  deliveries: DeliveryStore;
  idempotency: IdempotencyStore;
  /** Resolves once the connection is up (API connections refuse commands until then). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function createContext(
  config: Pick<Config, 'redisUrl' | 'queuePrefix' | 'retentionMs' | 'disableAfterMs'>,
  role: RedisRole,
  redis: Redis = createRedis(config.redisUrl, role),
): HooklineContext {
  const keys = redisKeys(config.queuePrefix);
  const queues = {
    deliveries: createQueue('deliver', redis, config.queuePrefix),
    fanout: createQueue('fanout', redis, config.queuePrefix),
    operational: createQueue('operational', redis, config.queuePrefix),
  };
  for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  const deliveries = new DeliveryStore(redis, keys, queues, config);
  return {
    redis,
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
    },
    async close() {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
    },
  };
}

/** What the scrape-time gauges read, for either service: job counts per queue and the dead letter's size. */
export function metricSources(context: HooklineContext): MetricsSources {
  return {
    queueCounts: async () =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(context.queues).map(
            async ([name, queue]) => [name, await queue.getJobCounts(...QUEUE_STATES)] as const,
          ),
        ),
      ),
    deadLetterSize: () => context.deliveries.deadLetterSize(),
  };
}
