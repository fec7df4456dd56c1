import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';
import type { LogStore } from './log-store';

/** A finished job whose status never settled (poisoned data) goes after this long. */
export const UNSETTLED_FINISHED_TTL_MS = 10 * 60_000;

/** Finished jobs looked at per shard per sweep. */
const SWEEP_PAGE = 500;

export type ForgetArgs = [
  completed: string,
  failed: string,
  prefix: string,
  ...rest: (string | number)[],
];

/** The arguments of commands/forget-2.lua, in its order (its header names each one). */
export function forgetArgs(
  keys: RedisKeys,
  shard: number,
  logged: readonly string[],
  stale: readonly string[] = [],
): ForgetArgs {
  return [
    keys.deliveriesCompleted(shard),
    keys.deliveriesFailed(shard),
    keys.deliveryJobPrefix(shard),
    logged.length,
    ...logged,
    ...stale,
  ];
}

/**
 * Removes what has settled from Redis once the log holds it: a delivery's job stays after it
 * finishes, so that reading the delivery by id finds it somewhere at every instant, and goes once
 * its final change is in the log. The log writer forgets the settled deliveries of each batch it
 * writes ({@link forgetLogged}); {@link sweep} catches the rest (a job that finished only after
 * its change was written, a writer that died in between).
 */
export class JobSweeper {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: LogStore,
  ) {}

  /** Forgets the jobs of deliveries whose settling the log has just written. */
  async forgetLogged(shard: number, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.redis.hlForget(...forgetArgs(this.keys, shard, ids));
  }

  /** Forgets a page of a shard's finished jobs that the log holds settled. */
  async sweep(shard: number, now = Date.now()): Promise<number> {
    const [completed, failed] = await Promise.all([
      this.redis.zrange(this.keys.deliveriesCompleted(shard), 0, SWEEP_PAGE - 1, 'WITHSCORES'),
      this.redis.zrange(this.keys.deliveriesFailed(shard), 0, SWEEP_PAGE - 1),
    ]);
    const finished: string[] = [...failed];
    const stale: string[] = [];
    for (let i = 0; i + 1 < completed.length; i += 2) {
      finished.push(completed[i]!);
      if (Number(completed[i + 1]) < now - UNSETTLED_FINISHED_TTL_MS) stale.push(completed[i]!);
    }
    if (finished.length === 0) return 0;
    const settled = await this.log.settledIds(finished);
    const loggedSet = new Set(settled);
    return this.redis.hlForget(
      ...forgetArgs(
        this.keys,
        shard,
        settled,
        stale.filter((id) => !loggedSet.has(id)),
      ),
    );
  }
}
