import type { DeliveryStatus } from './schemas';

/**
 * Every Redis key Hookline writes besides BullMQ's own, under the same prefix as the queues
 * (`{hookline}` by default: the braces are a Cluster hash tag, so every key, ours and BullMQ's,
 * lands in one slot and multi-key scripts and transactions stay legal on Redis Cluster).
 */
export function redisKeys(prefix: string) {
  return {
    prefix,
    /** string: an endpoint as JSON ({@link StoredEndpoint}). */
    endpoint: (id: string) => `${prefix}:ep:${id}`,
    /** hash: an endpoint's health (`failing_since`, ms). */
    endpointHealth: (id: string) => `${prefix}:ep:${id}:health`,
    /** zset (score 0, ordered by id): an endpoint's deliveries in one status. */
    endpointDeliveries: (id: string, status: DeliveryStatus) => `${prefix}:ep:${id}:s:${status}`,
    /** The prefix of {@link endpointDeliveries}, for scripts that move a delivery between statuses. */
    endpointDeliveriesPrefix: (id: string) => `${prefix}:ep:${id}:s:`,
    /**
     * pub/sub channel (not a key): the id of every endpoint just written or deleted, published by
     * the write itself, so dispatchers drop their cached copy at once.
     */
    endpointChanges: `${prefix}:ep-changes`,
    /** zset (score 0, ordered by id): every endpoint. */
    endpoints: `${prefix}:eps`,
    /** set: enabled endpoints subscribed to every event. */
    indexAll: `${prefix}:idx:all`,
    /** set: enabled endpoints subscribed to exactly this name. */
    indexExact: (name: string) => `${prefix}:idx:x:${name}`,
    /** set: enabled endpoints subscribed to `<prefix>*` (prefix ends with a dot). */
    indexPrefix: (namePrefix: string) => `${prefix}:idx:p:${namePrefix}`,
    /** string: an event's body, exactly the bytes receivers get and signatures cover. */
    event: (id: string) => `${prefix}:evt:${id}`,
    /** list: an event's delivery ids. */
    eventDeliveries: (id: string) => `${prefix}:evt:${id}:d`,
    /** hash: a delivery's state. */
    delivery: (id: string) => `${prefix}:whd:${id}`,
    /** list: a delivery's attempts, as JSON, oldest first. */
    attempts: (id: string) => `${prefix}:whd:${id}:att`,
    /** zset (score 0, ordered by id): every dead-lettered delivery. */
    deadLetter: `${prefix}:dlq`,
    /** string: an idempotency record. */
    idempotency: (hash: string) => `${prefix}:idem:${hash}`,
    /** string: an endpoint's rate limiter (GCRA theoretical arrival time, ms). */
    rateLimit: (id: string) => `${prefix}:rl:${id}`,
    /** hash: job id → the rate-limit slot (ms) reserved for it. */
    rateLimitReservations: (id: string) => `${prefix}:rl:${id}:res`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
