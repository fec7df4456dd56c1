import type { DeliveryStatus } from '@hookline/api';

/**
 * Every Redis key Hookline writes besides BullMQ's own, under the same prefix as the queues
 * (`{hookline}` by default: the braces are a Cluster hash tag, so every key, ours and BullMQ's,
 * lands in one slot and multi-key scripts and transactions stay legal on Redis Cluster).
 */
export function redisKeys(prefix: string) {
  /** A tenant's own keys: `<prefix>:t:<tenant>/…`. A tenant id never holds `/`, so no two tenants' keys can meet. */
  const ofTenant = (tenant: string) => `${prefix}:t:${tenant}/`;
  /** Routing and event indexes: a tenant's, or (null) the untenanted ones under the bare prefix. */
  const scoped = (tenant: string | null) => (tenant === null ? `${prefix}:` : ofTenant(tenant));
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
    /** zset (score 0, ordered by id): a tenant's endpoints. */
    tenantEndpoints: (tenant: string) => `${ofTenant(tenant)}eps`,
    /** zset (score 0, ordered by id): every tenant that has an endpoint. */
    tenants: `${prefix}:tenants`,
    /**
     * The routing index of a tenant's endpoints (null: of untenanted ones), so that a publish
     * reads only the sets of its own tenant. set: enabled endpoints subscribed to every event.
     */
    indexAll: (tenant: string | null) => `${scoped(tenant)}idx:all`,
    /** set: enabled endpoints of the tenant subscribed to exactly this name. */
    indexExact: (tenant: string | null, name: string) => `${scoped(tenant)}idx:x:${name}`,
    /** set: enabled endpoints of the tenant subscribed to `<prefix>*` (prefix ends with a dot). */
    indexPrefix: (tenant: string | null, namePrefix: string) =>
      `${scoped(tenant)}idx:p:${namePrefix}`,
    /**
     * hash: an event: `body`, exactly the bytes receivers get and signatures cover, and
     * `tenant_id` ('' for none).
     */
    event: (id: string) => `${prefix}:evt:${id}`,
    /**
     * zset (score 0, ordered by id): published events within the retention, of one tenant, or
     * (null) of all tenants and none.
     */
    events: (tenant: string | null) => `${scoped(tenant)}evts`,
    /** zset (score 0, ordered by id): the same, of one name. */
    eventsNamed: (tenant: string | null, name: string) => `${scoped(tenant)}evts:n:${name}`,
    /** list: an event's delivery ids. */
    eventDeliveries: (id: string) => `${prefix}:evt:${id}:d`,
    /** hash: a delivery's state. */
    delivery: (id: string) => `${prefix}:whd:${id}`,
    /** list: a delivery's attempts, as JSON, oldest first. */
    attempts: (id: string) => `${prefix}:whd:${id}:att`,
    /** zset (score 0, ordered by id): every dead-lettered delivery. */
    deadLetter: `${prefix}:dlq`,
    /** zset (score 0, ordered by id): a tenant's dead-lettered deliveries. */
    tenantDeadLetter: (tenant: string) => `${ofTenant(tenant)}dlq`,
    /** string: a tenant key, by its public id: `{tenant_id, hash, expires_at}` as JSON. */
    tenantKey: (keyId: string) => `${prefix}:tk:${keyId}`,
    /** set: the public ids of a tenant's keys, so that they can be revoked together. */
    tenantKeys: (tenant: string) => `${ofTenant(tenant)}keys`,
    /** string: an idempotency record. */
    idempotency: (hash: string) => `${prefix}:idem:${hash}`,
    /** string: an endpoint's rate limiter (GCRA theoretical arrival time, ms). */
    rateLimit: (id: string) => `${prefix}:rl:${id}`,
    /** hash: job id → the rate-limit slot (ms) reserved for it. */
    rateLimitReservations: (id: string) => `${prefix}:rl:${id}:res`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
