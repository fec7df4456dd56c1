import { createHash, randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { IdempotencyConflictError } from '../errors';
import type { RedisKeys } from '../redis/keys';

/** How long a completed publish is remembered under its `Idempotency-Key`. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** How long a claim lives while its request runs; a crashed request frees the key after this. */
const CLAIM_TTL_MS = 60_000;
/** How long a concurrent duplicate waits for the first request to finish. */
const WAIT_MS = 10_000;
const POLL_MS = 25;

interface Record_ {
  fingerprint: string;
  /** Absent while the first request holding the key is still running. */
  response?: { status: number; body: unknown };
  claim?: string;
}

export type IdempotencyOutcome =
  | { kind: 'replay'; status: number; body: unknown }
  | {
      kind: 'claimed';
      key: string;
      claim: string;
      fingerprint: string;
      /** The slot the publish writes to: the record is in that slot's shard (keys.ts). */
      slot: number;
    };

/**
 * `Idempotency-Key` records. The first request with a key claims it (SET NX); a retry with the
 * same body gets the first response back; the same key with another body is a 422. Concurrent
 * duplicates wait for the first to finish, so twenty parallel publishes create one event.
 */
export class IdempotencyStore {
  /**
   * @param ttlMs how long a completed record is kept: {@link IDEMPOTENCY_TTL_MS} (24 h), or the
   * retention when that is shorter — a record must not outlive the event it points to.
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  private hash(scope: string, key: string) {
    return createHash('sha256').update(scope).update('\0').update(key).digest('hex');
  }

  static fingerprint(body: unknown): string {
    return createHash('sha256').update(JSON.stringify(body)).digest('hex');
  }

  async begin(
    scope: string,
    idempotencyKey: string,
    fingerprint: string,
  ): Promise<IdempotencyOutcome> {
    const hash = this.hash(scope, idempotencyKey);
    const key = this.keys.idempotency(hash);
    const slot = this.keys.idempotencySlot(hash);
    const claim = randomUUID();
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const claimed = await this.redis.set(
        key,
        JSON.stringify({ fingerprint, claim } satisfies Record_),
        'PX',
        CLAIM_TTL_MS,
        'NX',
      );
      if (claimed === 'OK') return { kind: 'claimed', key, claim, fingerprint, slot };
      const raw = await this.redis.get(key);
      if (raw !== null) {
        const record = JSON.parse(raw) as Record_;
        if (record.fingerprint !== fingerprint) {
          throw new IdempotencyConflictError('different_body');
        }
        if (record.response) return { kind: 'replay', ...record.response };
      }
      if (Date.now() > deadline) {
        throw new IdempotencyConflictError('in_progress');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Adds the completed record to the transaction that commits the request's writes. */
  complete(
    multi: ChainableCommander,
    claim: Extract<IdempotencyOutcome, { kind: 'claimed' }>,
    status: number,
    body: unknown,
  ): void {
    const record: Record_ = { fingerprint: claim.fingerprint, response: { status, body } };
    multi.set(claim.key, JSON.stringify(record), 'PX', this.ttlMs);
  }

  /** Frees a claim whose request failed, so a retry can run (best effort; the claim expires anyway). */
  async abandon(claim: Extract<IdempotencyOutcome, { kind: 'claimed' }>): Promise<void> {
    const raw = await this.redis.get(claim.key).catch(() => null);
    if (raw !== null && (JSON.parse(raw) as Record_).claim === claim.claim) {
      await this.redis.del(claim.key).catch(() => undefined);
    }
  }
}
