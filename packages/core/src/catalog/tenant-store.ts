import { randomBytes } from 'node:crypto';
import {
  tenantCursor,
  tenantOfCursor,
  type Tenant,
  type TenantListQuery,
  type TenantSummary,
} from '@hookline/api';
import type { Redis } from 'ioredis';
import { UNSETTLED } from '../lifecycle';
import type { LogStore } from '../log/log-store';
import type { RedisKeys } from '../redis/keys';
import { pageOfSet, type PageResult } from '../pagination';
import { execAll } from '../redis/exec';
import { KEY_SECRET, newKeySecret, secretMatches, splitKey } from './hashed-key';

/** A tenant key: `hlt_<public id>_<secret>`. The public id finds the record; the secret proves it. */
const KEY_PATTERN = new RegExp(`^hlt_([0-9a-f]{24})_(${KEY_SECRET})$`);

interface StoredKey {
  tenant_id: string;
  /** SHA-256 of the secret part, hex: the key itself is never stored. */
  hash: string;
  /** ms since the epoch. */
  expires_at: number;
}

/** Whether `text` has the form of a tenant key (operator keys are told apart by it). */
export const isTenantKey = (text: string) => KEY_PATTERN.test(text);

/**
 * Tenants — the publisher's customers, which exist while they have endpoints — and the keys
 * that give a customer-facing portal access to one tenant.
 */
export class TenantStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: LogStore,
  ) {}

  /**
   * Tenants with at least one endpoint, ordered by id, each with its endpoint count. The cursor
   * is a {@link tenantCursor} (the query schema has refused any other).
   */
  async list({ limit, cursor }: TenantListQuery): Promise<PageResult<TenantSummary>> {
    const after = cursor === undefined ? undefined : tenantOfCursor(cursor);
    const page = await pageOfSet(this.redis, this.keys.tenants, { limit, cursor: after });
    const next_cursor = page.next_cursor === null ? null : tenantCursor(page.next_cursor);
    if (page.items.length === 0) return { data: [], next_cursor };
    const pipeline = this.redis.pipeline();
    for (const id of page.items) pipeline.zcard(this.keys.tenantEndpoints(id));
    const counts = await execAll(pipeline);
    return {
      data: page.items.map((id, i) => ({ id, endpoints: Number(counts[i] ?? 0) })),
      next_cursor,
    };
  }

  /** A tenant's counts (from the log) and weight, or `undefined` when it has no endpoint. */
  async get(tenantId: string): Promise<Tenant | undefined> {
    const endpoints = await this.redis.zcard(this.keys.tenantEndpoints(tenantId));
    if (endpoints === 0) return undefined;
    const [pending, deadLetter, weight] = await Promise.all([
      this.log.count({ tenant_id: tenantId, status: UNSETTLED }),
      this.log.count({ tenant_id: tenantId, dead_letter: true }),
      this.weight(tenantId),
    ]);
    return { id: tenantId, endpoints, pending, dead_letter: deadLetter, weight };
  }

  /** A tenant's weight (README, "Tenant fairness"); 1 for one never set, and for no tenant. */
  async weight(tenantId: string | null): Promise<number> {
    if (tenantId === null) return 1;
    return Number((await this.redis.get(this.keys.tenantWeight(tenantId))) ?? 1);
  }

  /** Forgets a deleted tenant's settings: a tenant of the same id later starts from the defaults. */
  async forgetSettings(tenantId: string): Promise<void> {
    await this.redis.del(this.keys.tenantWeight(tenantId));
  }

  /** Sets a tenant's weight; false (nothing written) when it has no endpoint. */
  async setWeight(tenantId: string, weight: number): Promise<boolean> {
    if ((await this.redis.zcard(this.keys.tenantEndpoints(tenantId))) === 0) return false;
    if (weight === 1) await this.redis.del(this.keys.tenantWeight(tenantId));
    else await this.redis.set(this.keys.tenantWeight(tenantId), weight);
    return true;
  }

  /** Every endpoint id of a tenant, oldest first. */
  async endpointIds(tenantId: string): Promise<string[]> {
    return this.redis.zrange(this.keys.tenantEndpoints(tenantId), 0, -1);
  }

  /** Mints a key for one tenant that expires after `ttlMs`. The key is returned once, never stored. */
  async mintKey(tenantId: string, ttlMs: number, now = Date.now()) {
    const publicId = randomBytes(12).toString('hex');
    const { secret, hash } = newKeySecret();
    const expiresAt = now + ttlMs;
    const record: StoredKey = { tenant_id: tenantId, hash, expires_at: expiresAt };
    const list = this.keys.tenantKeys(tenantId);
    const multi = this.redis.multi();
    multi.set(this.keys.tenantKey(publicId), JSON.stringify(record), 'PX', ttlMs);
    multi.sadd(list, publicId);
    // The list lives as long as its longest-lived key (GT: never shortened by a shorter one).
    multi.pexpire(list, ttlMs, 'GT');
    multi.pexpire(list, ttlMs, 'NX');
    await execAll(multi);
    return { key: `hlt_${publicId}_${secret}`, expiresAt };
  }

  /**
   * The tenant a key belongs to, or `undefined` for a key that is malformed, unknown, expired
   * or revoked. The secret is compared in constant time (as digests, so lengths never differ).
   */
  async verifyKey(key: string, now = Date.now()): Promise<string | undefined> {
    const parts = splitKey(KEY_PATTERN, key);
    if (!parts) return undefined;
    const raw = await this.redis.get(this.keys.tenantKey(parts.publicId));
    if (raw === null) return undefined;
    const record = JSON.parse(raw) as StoredKey;
    if (!secretMatches(record.hash, parts.secret)) return undefined;
    return record.expires_at > now ? record.tenant_id : undefined;
  }

  /** Revokes every key of a tenant; returns how many there were. */
  async revokeKeys(tenantId: string): Promise<number> {
    const list = this.keys.tenantKeys(tenantId);
    const publicIds = await this.redis.smembers(list);
    const multi = this.redis.multi();
    if (publicIds.length > 0) multi.del(...publicIds.map((id) => this.keys.tenantKey(id)));
    multi.del(list);
    await execAll(multi);
    return publicIds.length;
  }
}
