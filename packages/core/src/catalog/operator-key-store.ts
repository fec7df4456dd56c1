import type { OperatorKey, OperatorKeyListQuery } from '@hookline/api';
import type { Redis } from 'ioredis';
import { newId } from '../ids';
import { pageOfSet, type PageResult } from '../pagination';
import { execAll } from '../redis/exec';
import type { RedisKeys } from '../redis/keys';
import { KEY_SECRET, newKeySecret, secretMatches, splitKey } from './hashed-key';
import { rotateOperatorKeyArgs, touchOperatorKeyArgs } from './operator-key-args';

/**
 * An operator key: `hlo_<id without opk_>_<secret>`. The id part finds the record, the secret
 * proves the key. The id is an `opk_` id, so keys list oldest first.
 */
const KEY_PATTERN = new RegExp(`^hlo_([0-9A-HJKMNP-TV-Z]{26})_(${KEY_SECRET})$`);

/** Whether `text` has the form of a managed operator key. */
export const isOperatorKey = (text: string) => KEY_PATTERN.test(text);

/**
 * How often a key's `last_used_at` is written, at most, per key and process: a write per request
 * would double the Redis work of every request made with it.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The fields of a key's hash. Times are ms since the epoch; an absent field is none. `hash` and
 * `previous_hash` are SHA-256 digests of secrets (hex): the key itself is never stored.
 */
interface StoredOperatorKey {
  id: string;
  name?: string;
  created_at: string;
  expires_at?: string;
  hash: string;
  previous_hash?: string;
  previous_until?: string;
  rotated_at?: string;
  last_used_at?: string;
}

const iso = (ms: string | undefined) =>
  ms === undefined ? null : new Date(Number(ms)).toISOString();

/** What the API shows of a stored key: never a digest. */
function view(stored: StoredOperatorKey, now: number): OperatorKey {
  // The old secret works until the grace ends, and never past the key's own expiry.
  const previousUntil = Math.min(
    Number(stored.previous_until ?? 0),
    Number(stored.expires_at ?? Infinity),
  );
  const previousLive = stored.previous_hash !== undefined && previousUntil > now;
  return {
    id: stored.id,
    name: stored.name ?? null,
    created_at: iso(stored.created_at)!,
    expires_at: iso(stored.expires_at),
    last_used_at: iso(stored.last_used_at),
    rotated_at: iso(stored.rotated_at),
    previous_key_expires_at: previousLive ? iso(String(previousUntil)) : null,
  };
}

/** `HGETALL` of a key that is gone is `{}`. */
const found = (raw: Record<string, string>) =>
  raw.id === undefined ? undefined : (raw as unknown as StoredOperatorKey);

/**
 * Operator keys made through the API, beside the bootstrap keys of `HOOKLINE_API_KEYS`: created
 * (the key returned once), listed, revoked and rotated with a grace period, on every producer at
 * once, since every check reads Redis. A key that expires is deleted by Redis (its record has
 * the key's expiry); the list drops its id when it meets it.
 */
export class OperatorKeyStore {
  /** When this process last wrote each key's `last_used_at`. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** A new key, living `ttlMs` (or until revoked). The key is in this answer only. */
  async create(
    { name, ttlMs }: { name?: string | undefined; ttlMs?: number | undefined },
    now = Date.now(),
  ): Promise<OperatorKey & { key: string }> {
    const id = newId('opk', now);
    const { secret, hash } = newKeySecret();
    const stored: StoredOperatorKey = {
      id,
      ...(name !== undefined ? { name } : {}),
      created_at: String(now),
      ...(ttlMs !== undefined ? { expires_at: String(now + ttlMs) } : {}),
      hash,
    };
    const record = this.keys.operatorKey(id);
    const multi = this.redis.multi();
    multi.hset(record, stored as unknown as Record<string, string>);
    if (ttlMs !== undefined) multi.pexpireat(record, now + ttlMs);
    multi.zadd(this.keys.operatorKeys, 0, id);
    await execAll(multi);
    return { ...view(stored, now), key: keyOf(id, secret) };
  }

  /** A page of keys, oldest first. The cursor is an id the query schema has checked. */
  async list(query: OperatorKeyListQuery, now = Date.now()): Promise<PageResult<OperatorKey>> {
    const page = await pageOfSet(this.redis, this.keys.operatorKeys, query);
    const pipeline = this.redis.pipeline();
    for (const id of page.items) pipeline.hgetall(this.keys.operatorKey(id));
    const records = (await execAll(pipeline)) as Record<string, string>[];
    const data: OperatorKey[] = [];
    const expired: string[] = [];
    records.forEach((raw, i) => {
      const stored = found(raw);
      if (stored) data.push(view(stored, now));
      else expired.push(page.items[i]!);
    });
    // Redis deleted these at their expiry; their ids go too. (The page may be short for it: the
    // cursor still says where the next one starts.)
    if (expired.length > 0) await this.redis.zrem(this.keys.operatorKeys, ...expired);
    return { data, next_cursor: page.next_cursor };
  }

  /** One key, or `undefined` when there is none (never was, revoked or expired). */
  async get(id: string, now = Date.now()): Promise<OperatorKey | undefined> {
    const stored = found(await this.redis.hgetall(this.keys.operatorKey(id)));
    return stored && view(stored, now);
  }

  /** Revokes a key (and the secret it was rotated from) at once; false when there was none. */
  async revoke(id: string): Promise<boolean> {
    const multi = this.redis.multi();
    multi.del(this.keys.operatorKey(id));
    multi.zrem(this.keys.operatorKeys, id);
    const [deleted] = await execAll(multi);
    this.touched.delete(id);
    return deleted === 1;
  }

  /**
   * Gives a key a new secret, returned once. The old one keeps working for `graceMs` (0: not at
   * all), and not past the key's expiry; rotating again ends the grace of the one before. The id,
   * name and expiry stay. `undefined` when there is no such key.
   */
  async rotate(
    id: string,
    graceMs: number,
    now = Date.now(),
  ): Promise<(OperatorKey & { key: string }) | undefined> {
    const { secret, hash } = newKeySecret();
    const rotated = await this.redis.hlRotateOperatorKey(
      ...rotateOperatorKeyArgs(this.keys, id, hash, now + graceMs, now),
    );
    if (rotated === 0) return undefined;
    const key = await this.get(id, now);
    // Revoked between the two calls: the new key is already dead, so it is no answer.
    return key && { ...key, key: keyOf(id, secret) };
  }

  /**
   * The id of the managed operator key `key` is, or `undefined` for a key that is malformed,
   * unknown, expired, revoked, or an old secret past its grace. Both stored digests are compared,
   * in constant time, whichever matches. Notes the use (to the minute) as it goes.
   */
  async verify(key: string, now = Date.now()): Promise<string | undefined> {
    const parts = splitKey(KEY_PATTERN, key);
    if (!parts) return undefined;
    const id = `opk_${parts.publicId}`;
    const stored = found(await this.redis.hgetall(this.keys.operatorKey(id)));
    if (!stored) return undefined;
    if (stored.expires_at !== undefined && Number(stored.expires_at) <= now) return undefined;
    const current = secretMatches(stored.hash, parts.secret);
    const previous =
      stored.previous_hash !== undefined && secretMatches(stored.previous_hash, parts.secret);
    if (!current && !(previous && Number(stored.previous_until) > now)) return undefined;
    await this.touch(id, now);
    return id;
  }

  private async touch(id: string, now: number): Promise<void> {
    if (now - (this.touched.get(id) ?? -Infinity) < LAST_USED_RESOLUTION_MS) return;
    this.touched.set(id, now);
    await this.redis.hlTouchOperatorKey(...touchOperatorKeyArgs(this.keys, id, now));
  }
}

const keyOf = (id: string, secret: string) => `hlo_${id.slice('opk_'.length)}_${secret}`;
