import { CLUSTER_SLOTS, clusterSlot } from './cluster-slot';
import { shardOfSlot, slotOf, slotOfDigest } from './shards';

/** The deliveries queue's name (queues.ts `JOBS.deliver.queue`): part of its jobs' keys. */
export const DELIVERIES_QUEUE = 'deliveries';

/**
 * The hash tag of each of `shards` shards: `{<prefix>:<n>}`, or `{<prefix>:<n>.<k>}` with the
 * smallest k that puts it in the n-th of `shards` equal parts of the Cluster's slot space. Plain
 * `{hookline:0}`…`{hookline:11}` hash unevenly (8, 2 and 2 of 12 on three masters that split the
 * slots evenly, as `redis-cli --cluster create` does); these fall on every master alike.
 */
export function shardTags(prefix: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, n) => {
    const from = Math.floor((n * CLUSTER_SLOTS) / shards);
    const to = Math.floor(((n + 1) * CLUSTER_SLOTS) / shards);
    for (let k = 0; ; k++) {
      const tag = k === 0 ? `{${prefix}:${n}}` : `{${prefix}:${n}.${k}}`;
      const slot = clusterSlot(tag);
      if (slot >= from && slot < to) return tag;
    }
  });
}

/**
 * Every Redis key Hookline writes besides BullMQ's own (README, "Redis Cluster and shards").
 *
 * Two kinds of hash tag keep each multi-key script and transaction inside one Redis Cluster slot:
 * - the catalog, `{<prefix>}`: endpoints, their routing indexes, health and rate limits, tenants,
 *   tenant keys and operator keys — what every publish and delivery reads, and small;
 * - the shards, `{<prefix>:<n>}` for n in 0..shards-1 ({@link shardTags}): the shard's queues (whose
 *   delivery jobs are the deliveries in flight), its change stream, events not yet logged, and
 *   idempotency records. An event's or a delivery's shard is named by its id (shards.ts).
 *
 * What happened (events, deliveries, attempts, the dead letter) is in the log, not here (log/).
 */
export function redisKeys(prefix: string, shards = 1) {
  const catalog = `{${prefix}}`;
  const tags = shardTags(prefix, shards);
  const shardTag = (shard: number) => tags[shard]!;
  /** The shard-tagged prefix of an event's or a delivery's keys. */
  const ofId = (id: string) => shardTag(shardOfSlot(slotOf(id), shards));
  /** A tenant's own keys in a tag: `<tag>:t:<tenant>/…`. A tenant id never holds `/`, so no two tenants' keys can meet. */
  const ofTenant = (tag: string, tenant: string) => `${tag}:t:${tenant}/`;
  /** A tenant's keys (or, for null, the untenanted ones under the bare tag). */
  const scoped = (tag: string, tenant: string | null) =>
    tenant === null ? `${tag}:` : ofTenant(tag, tenant);
  return {
    prefix,
    shards,
    /** The BullMQ prefix (and hash tag) of the catalog's keys and its queue. */
    catalog,
    /** The BullMQ prefix (and hash tag) of a shard's keys and queues. */
    shard: shardTag,
    /** The shard an event's or a delivery's keys and job are in. */
    shardOf: (id: string) => shardOfSlot(slotOf(id), shards),
    /** Every shard's number: what reads that span shards walk. */
    allShards: Array.from({ length: shards }, (_, i) => i),

    // --- catalog ---
    /** string: an endpoint as JSON ({@link StoredEndpoint}). */
    endpoint: (id: string) => `${catalog}:ep:${id}`,
    /** hash: an endpoint's health (`failing_since`, ms). */
    endpointHealth: (id: string) => `${catalog}:ep:${id}:health`,
    /**
     * pub/sub channel (not a key): the id of every endpoint just written or deleted, published by
     * the write itself, so dispatchers drop their cached copy at once.
     */
    endpointChanges: `${catalog}:ep-changes`,
    /** zset (score 0, ordered by id): every endpoint. */
    endpoints: `${catalog}:eps`,
    /** zset (score 0, ordered by id): a tenant's endpoints. */
    tenantEndpoints: (tenant: string) => `${ofTenant(catalog, tenant)}eps`,
    /** zset (score 0, ordered by id): every tenant that has an endpoint. */
    tenants: `${catalog}:tenants`,
    /**
     * The routing index of a tenant's endpoints (null: of untenanted ones), so that a publish
     * reads only the sets of its own tenant. set: enabled endpoints subscribed to every event.
     */
    indexAll: (tenant: string | null) => `${scoped(catalog, tenant)}idx:all`,
    /** set: enabled endpoints of the tenant subscribed to exactly this name. */
    indexExact: (tenant: string | null, name: string) => `${scoped(catalog, tenant)}idx:x:${name}`,
    /** set: enabled endpoints of the tenant subscribed to `<prefix>*` (prefix ends with a dot). */
    indexPrefix: (tenant: string | null, namePrefix: string) =>
      `${scoped(catalog, tenant)}idx:p:${namePrefix}`,
    /** set: enabled endpoints of the tenant ordered by `key` (ordering/lines.ts): a publish lines their deliveries up. */
    indexOrdered: (tenant: string | null, key: string) => `${scoped(catalog, tenant)}idx:o:${key}`,
    /** string: a tenant key, by its public id: `{tenant_id, hash, expires_at}` as JSON. */
    tenantKey: (keyId: string) => `${catalog}:tk:${keyId}`,
    /** string: a tenant's weight (tenant-store.ts), absent for the default 1. */
    tenantWeight: (tenant: string) => `${ofTenant(catalog, tenant)}weight`,
    /** set: the public ids of a tenant's keys, so that they can be revoked together. */
    tenantKeys: (tenant: string) => `${ofTenant(catalog, tenant)}keys`,
    /** hash: an operator key, by its id (operator-key-store.ts names the fields). */
    operatorKey: (id: string) => `${catalog}:opk:${id}`,
    /** zset (score 0, ordered by id): every operator key. */
    operatorKeys: `${catalog}:operator-keys`,
    /** string: a tenant's budget of one kind (tenant-budgets.ts; GCRA theoretical arrival time, ms). */
    tenantBudget: (tenant: string, kind: string) => `${ofTenant(catalog, tenant)}budget:${kind}`,
    /** string: an endpoint's rate limiter (GCRA theoretical arrival time, ms). */
    rateLimit: (id: string) => `${catalog}:rl:${id}`,
    /** hash: job id → the rate-limit slot (ms) reserved for it. */
    rateLimitReservations: (id: string) => `${catalog}:rl:${id}:res`,
    /**
     * string: the OAuth 2.0 access token of an endpoint's authentication revision, shared by every
     * dispatcher (a secret: it expires with the token), or why fetching it failed (a few seconds).
     */
    endpointToken: (id: string, revision: string) => `${catalog}:ep:${id}:token:${revision}`,
    /** string: held (`SET NX PX`) by the one dispatcher fetching that token. */
    endpointTokenLock: (id: string, revision: string) =>
      `${catalog}:ep:${id}:token:${revision}:lock`,

    // --- a shard's ---
    /**
     * stream: the shard's change stream (log/changes.ts): every change of its events and
     * deliveries, appended in the same atomic step as the queue change, read by the log writer
     * (log/log-writer.ts) and deleted once the log has it.
     */
    changes: (shard: number) => `${shardTag(shard)}:changes`,
    /** The change stream of the shard an event's or a delivery's id names. */
    changesOf: (id: string) => `${ofId(id)}:changes`,
    /**
     * hash: an event accepted and not yet in the log: `v`, its change's stream entry id, so that
     * reading it by id needs no log in the moment between its 202 and its logging. Deleted by
     * the log writer once the log has it.
     */
    unloggedEvent: (id: string) => `${ofId(id)}:evt:${id}`,
    /**
     * The same mark in another shard: an event's change written where its ordered deliveries'
     * lines live (ordering/lines.ts) is marked in that shard, which the change's own step can reach.
     */
    unloggedEventIn: (shard: number, id: string) => `${shardTag(shard)}:evt:${id}`,
    /**
     * hash: a delivery's BullMQ job, which is its one record while it moves (in-flight/job-record.ts):
     * BullMQ's fields, and Hookline's state fields beside them. BullMQ's own key for the job.
     */
    deliveryJob: (id: string) => `${ofId(id)}:${DELIVERIES_QUEUE}:${id}`,
    /** The prefix of {@link deliveryJob} in a shard: a script appends the job id. */
    deliveryJobPrefix: (shard: number) => `${shardTag(shard)}:${DELIVERIES_QUEUE}:`,
    /** zset: a shard's finished delivery jobs (BullMQ's `completed`), by finish time. */
    deliveriesCompleted: (shard: number) => `${shardTag(shard)}:${DELIVERIES_QUEUE}:completed`,
    /** zset: a shard's delivery jobs BullMQ gave up on (its `failed`), by finish time. */
    deliveriesFailed: (shard: number) => `${shardTag(shard)}:${DELIVERIES_QUEUE}:failed`,
    /**
     * list: an ordering line's deliveries not yet settled, head first (ordering/lines.ts names
     * lines). Only the head has a job a worker can take; the others wait outside BullMQ's lists.
     */
    line: (shard: number, name: string) => `${shardTag(shard)}:line:${name}`,
    /** string: the last sequence number given in a line (its `webhook-sequence`); expires when idle. */
    lineSequence: (shard: number, name: string) => `${shardTag(shard)}:lseq:${name}`,
    /**
     * string: how many deliveries a tenant (null: the untenanted publisher) published to the
     * shard in the front lane's current window (in-flight/front-lane.ts); expires with it.
     */
    frontLane: (shard: number, tenant: string | null) => `${scoped(shardTag(shard), tenant)}fl`,
    /** zset: the shard's lines with deliveries waiting, scored by when their head became head (ms). */
    lines: (shard: number) => `${shardTag(shard)}:lines`,
    /** zset: the shard's lines whose head has failed at least once, scored by its first failure (ms). */
    blockedLines: (shard: number) => `${shardTag(shard)}:lines:blocked`,
    /** The slot of an idempotency record's hash: its publish goes to that slot's shard. */
    idempotencySlot: (hash: string) => slotOfDigest(hash),
    /** string: an idempotency record, in the shard its publish writes to. */
    idempotency: (hash: string) =>
      `${shardTag(shardOfSlot(slotOfDigest(hash), shards))}:idem:${hash}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
