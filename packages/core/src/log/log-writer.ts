import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { execAll } from '../redis/exec';
import { isSettled } from '../lifecycle';
import type { RedisKeys } from '../redis/keys';
import type { Logger } from '../logger';
import type { Change } from './changes';
import { JobSweeper } from './job-sweeper';
import type { LogStore } from './log-store';
import { parseEntry, type StreamEntry } from './stream-entries';

/** The consumer group every log writer of a deployment reads the change streams in. */
export const LOG_GROUP = 'log';

export interface LogWriterOptions {
  /** Changes read and written per batch. Default 1,000. */
  batchSize?: number;
  /** How long a shard's loop waits when its stream had nothing new. Default 100 ms. */
  idleMs?: number;
  /**
   * How long a change read by another writer may stay unwritten before this one takes it over
   * (that writer died mid-batch). Default 30 s.
   */
  claimIdleMs?: number;
  /** How often a shard's finished jobs are swept besides those each batch forgets. Default 2 s. */
  sweepEveryMs?: number;
  /** The longest wait between two tries to write a batch while the log refuses it. Default 5 s. */
  maxBackoffMs?: number;
  /** How often the log's partitions are made ahead and dropped past the retention. Default 1 h. */
  maintainEveryMs?: number;
}

/**
 * Moves the change stream into the log: each shard's stream is read in batches in a consumer
 * group shared by every writer (one per dispatcher process, so writers scale out with them), each
 * batch written in one transaction (idempotent: log-store.ts), then acknowledged and deleted from
 * the stream, with the not-yet-logged marks of its events; then the jobs of what settled are
 * forgotten (job-sweeper.ts). A writer killed mid-batch leaves its batch pending in the group:
 * another writer claims it after `claimIdleMs` and writes it again, which changes nothing already
 * written. While the log refuses writes, the batch is tried again with backoff and the streams
 * hold everything meanwhile (README, "The log").
 */
export class LogWriter {
  private readonly consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly sweeper: JobSweeper;
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];
  private readonly options: Required<LogWriterOptions>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: LogStore,
    private readonly logger: Logger,
    private readonly retentionMs: number,
    options: LogWriterOptions = {},
  ) {
    this.sweeper = new JobSweeper(redis, keys, log);
    this.options = {
      batchSize: 1_000,
      idleMs: 100,
      claimIdleMs: 30_000,
      sweepEveryMs: 2_000,
      maxBackoffMs: 5_000,
      maintainEveryMs: 3_600_000,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [
      this.maintain(),
      ...this.keys.allShards.map((shard) =>
        this.run(shard).catch((err: unknown) =>
          this.logger.error({ err, shard }, 'log writer stopped'),
        ),
      ),
    ];
  }

  /**
   * Brings the log's schema up to date, then keeps its partitions: made ahead, and dropped once
   * wholly past the retention. Tried again shortly while the log does not answer.
   */
  private async maintain(): Promise<void> {
    let migrated = false;
    while (this.running) {
      try {
        if (!migrated) {
          await this.log.migrate();
          migrated = true;
        }
        const dropped = await this.log.maintain(Date.now(), this.retentionMs);
        if (dropped > 0) this.logger.info({ dropped }, 'log partitions past the retention dropped');
        await this.sleep(this.options.maintainEveryMs);
      } catch (err) {
        this.logger.warn({ err }, 'log maintenance failed; trying again');
        await this.sleep(this.options.maxBackoffMs);
      }
    }
  }

  /** Stops after the batches in hand are written (or given up on, left to other writers). */
  async close(): Promise<void> {
    this.running = false;
    for (const wake of this.wake.splice(0)) wake();
    await Promise.all(this.loops);
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wakes = this.wake;
      function done() {
        clearTimeout(timer);
        const i = wakes.indexOf(done);
        if (i >= 0) wakes.splice(i, 1);
        resolve();
      }
      wakes.push(done);
    });
  }

  private async ensureGroup(stream: string): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', stream, LOG_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async run(shard: number): Promise<void> {
    const stream = this.keys.changes(shard);
    let grouped = false;
    let lastClaim = 0;
    let lastSweep = 0;
    while (this.running) {
      try {
        if (!grouped) {
          await this.ensureGroup(stream);
          grouped = true;
        }
        const now = Date.now();
        let entries = await this.readNew(stream);
        if (entries.length === 0 && now - lastClaim >= this.options.claimIdleMs / 3) {
          lastClaim = now;
          entries = await this.claimStale(stream);
        }
        if (entries.length > 0) await this.writeBatch(shard, stream, entries);
        if (now - lastSweep >= this.options.sweepEveryMs) {
          lastSweep = now;
          await this.sweeper.sweep(shard, now);
        }
        if (entries.length < this.options.batchSize) await this.sleep(this.options.idleMs);
      } catch (err) {
        // Redis away, or the group gone with a flushed Redis: try again shortly.
        if (String((err as Error).message).includes('NOGROUP')) grouped = false;
        this.logger.warn({ err, shard }, 'log writer: reading the change stream failed');
        await this.sleep(this.options.maxBackoffMs);
      }
    }
  }

  private async readNew(stream: string): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      LOG_GROUP,
      this.consumer,
      'COUNT',
      this.options.batchSize,
      'STREAMS',
      stream,
      '>',
    )) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  /** Changes another writer read and never acknowledged (it died, or is stuck): taken over. */
  private async claimStale(stream: string): Promise<StreamEntry[]> {
    const reply = (await this.redis.xautoclaim(
      stream,
      LOG_GROUP,
      this.consumer,
      this.options.claimIdleMs,
      '0-0',
      'COUNT',
      this.options.batchSize,
    )) as [string, (StreamEntry | null)[]];
    // Entries deleted meanwhile come back as null (Redis 7): nothing left to write for them.
    return reply[1].filter((entry): entry is StreamEntry => entry !== null && entry[1] !== null);
  }

  private async writeBatch(shard: number, stream: string, entries: StreamEntry[]): Promise<void> {
    const changes: Change[] = [];
    for (const entry of entries) {
      const change = parseEntry(entry);
      if (change instanceof Error)
        this.logger.error({ err: change, entry: entry[0] }, 'unreadable change skipped');
      else changes.push(change);
    }
    await this.writeUntilAccepted(changes);
    const ids = entries.map(([id]) => id);
    const multi = this.redis
      .multi()
      .xack(stream, LOG_GROUP, ...ids)
      .xdel(stream, ...ids);
    // Each event change's mark goes; an event's mark goes with the last (Redis drops an empty hash).
    // The mark is in this stream's shard: the event's own, or a line's (ordering/lines.ts).
    for (const change of changes)
      if (change.kind === 'event')
        multi.hdel(this.keys.unloggedEventIn(shard, change.id), change.version);
    await execAll(multi);
    const settled = changes.flatMap((c) =>
      c.kind === 'delivery' && isSettled(c.status) ? [c.id] : [],
    );
    await this.sweeper.forgetLogged(shard, settled);
  }

  /** Writes, trying again with backoff while the log refuses (down, restarting, full). */
  private async writeUntilAccepted(changes: readonly Change[]): Promise<void> {
    let backoff = 100;
    for (;;) {
      try {
        await this.log.write(changes);
        return;
      } catch (err) {
        if (!this.running) throw err;
        this.logger.warn({ err, changes: changes.length }, 'log write failed; trying again');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
    }
  }
}

/**
 * How long the oldest change not yet in the log has waited (seconds): the age of the first entry
 * left in any shard's stream (written entries are deleted). 0 when every stream is empty.
 */
export async function logLagSeconds(
  redis: Redis,
  keys: RedisKeys,
  now = Date.now(),
): Promise<number> {
  const firsts = await Promise.all(
    keys.allShards.map((shard) => redis.xrange(keys.changes(shard), '-', '+', 'COUNT', 1)),
  );
  let oldest = now;
  for (const first of firsts) {
    const id = first[0]?.[0];
    if (id) oldest = Math.min(oldest, Number(id.split('-')[0]));
  }
  return Math.max(0, now - oldest) / 1000;
}
