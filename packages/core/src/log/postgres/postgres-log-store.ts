import type {
  Delivery,
  DeliveryStatus,
  EventWithDeliveries,
  PageRequest,
  PageResult,
} from '@hookline/api';
import { Pool } from 'pg';
import type { Change } from '../changes';
import type {
  ActivityBucket,
  ActivityQuery,
  DeadLetterSearch,
  DeliverySearch,
  EventSearch,
  LogStore,
  ReplayCandidate,
} from '../log-store';
import { activity } from './activity';
import { ensureDatabase } from './database';
import { codeOf, transaction } from './db';
import { deadLetterForReplay } from './dead-letter';
import { countDeliveries, getDeliveries, listDeliveries, tenantOfDelivery } from './deliveries';
import { getEvent, listEvents } from './events';
import { migrate } from './migrations';
import { Partitions } from './partitions';
import { requeueCandidates, settledIds } from './requeue';
import { dayOf } from './time';
import { writeChanges } from './write';

export interface PostgresLogStoreOptions {
  /**
   * How long the log keeps what it is given: a change created longer ago than this is skipped
   * when written (its day's partition is gone, or soon will be). Default 30 days, as
   * `HOOKLINE_RETENTION`.
   */
  retentionMs?: number;
  /** The clock writes judge the retention by, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Connections the store keeps open at most. Default 10. */
  maxConnections?: number;
}

const DEFAULT_RETENTION_MS = 30 * 86_400_000;
/**
 * How long past the retention a day is kept for its deliveries still moving: longer than any
 * retry schedule runs, Retry-After included. What is unsettled after that was lost.
 */
const UNSETTLED_GRACE_MS = 7 * 86_400_000;
/** Days of partitions `maintain` keeps ready ahead of today. */
const DAYS_AHEAD = 2;
/**
 * check_violation: what Postgres answers for a row no partition takes ("no partition of relation
 * … found for row"), as for a CHECK refused (which the one retry refuses again).
 */
const NO_PARTITION = '23514';

/** The log in Postgres: events, deliveries and attempts in daily partitions. */
export class PostgresLogStore implements LogStore {
  private readonly pool: Pool;
  private readonly partitions: Partitions;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(
    private readonly url: string,
    options: PostgresLogStoreOptions = {},
  ) {
    this.pool = new Pool({ connectionString: url, max: options.maxConnections ?? 10 });
    // An idle connection the server closes (a restart, a failover) is an error on the pool, which
    // would end the process unheard; the pool has already dropped it, and the next query opens
    // another or reports the failure to its caller.
    this.pool.on('error', () => {});
    this.partitions = new Partitions(this.pool);
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
  }

  async migrate(): Promise<void> {
    await ensureDatabase(this.url);
    await migrate(this.pool);
  }

  async write(changes: readonly Change[]): Promise<void> {
    try {
      await this.writeKept(changes);
    } catch (error) {
      if (codeOf(error) !== NO_PARTITION) throw error;
      // Another process dropped a partition this one had cached (its clock, or its retention,
      // differs): check the catalog again, once.
      this.partitions.forget();
      await this.writeKept(changes);
    }
  }

  /**
   * Writes what the log keeps of `changes`: a change of a day past the retention is written while
   * its day is kept (a delivery of that day still moving: `maintain` keeps it), and skipped once
   * the day is dropped.
   */
  private async writeKept(changes: readonly Change[]): Promise<void> {
    const cutoff = this.now() - this.retentionMs;
    const expired = changes.filter((change) => change.created_at < cutoff);
    const keptDays =
      expired.length === 0
        ? new Set<number>()
        : await this.partitions.existing(expired.map((c) => dayOf(c.created_at)));
    const kept = changes.filter(
      (change) => change.created_at >= cutoff || keptDays.has(dayOf(change.created_at)),
    );
    if (kept.length === 0) return;
    await this.partitions.ensure(
      kept.filter((change) => change.created_at >= cutoff).map((c) => dayOf(c.created_at)),
    );
    await transaction(this.pool, (client) => writeChanges(client, kept));
  }

  async maintain(now: number, retentionMs: number): Promise<number> {
    const today = dayOf(now);
    await this.partitions.ensure(Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => today + i));
    return this.partitions.dropBefore(now - retentionMs, now - retentionMs - UNSETTLED_GRACE_MS);
  }

  getEvent(id: string): Promise<EventWithDeliveries | undefined> {
    return getEvent(this.pool, id);
  }

  listEvents(query: EventSearch): Promise<PageResult<EventWithDeliveries>> {
    return listEvents(this.pool, query);
  }

  getDeliveries(ids: readonly string[]): Promise<Delivery[]> {
    return getDeliveries(this.pool, ids);
  }

  listDeliveries(query: DeliverySearch): Promise<PageResult<Delivery>> {
    return listDeliveries(this.pool, query);
  }

  tenantOfDelivery(id: string): Promise<string | null | undefined> {
    return tenantOfDelivery(this.pool, id);
  }

  deadLetterForReplay(query: DeadLetterSearch, limit: number): Promise<ReplayCandidate[]> {
    return deadLetterForReplay(this.pool, query, limit);
  }

  requeueCandidates(
    ids: readonly string[],
  ): Promise<(ReplayCandidate & { status: DeliveryStatus })[]> {
    return requeueCandidates(this.pool, ids);
  }

  settledIds(ids: readonly string[]): Promise<string[]> {
    return settledIds(this.pool, ids);
  }

  count(query: Omit<DeliverySearch, keyof PageRequest>): Promise<number> {
    return countDeliveries(this.pool, query);
  }

  activity(query: ActivityQuery): Promise<ActivityBucket[]> {
    return activity(this.pool, query);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The log store on the Postgres at `url` (its database is created by `migrate` if need be). */
export function createPostgresLogStore(
  url: string,
  options?: PostgresLogStoreOptions,
): PostgresLogStore {
  return new PostgresLogStore(url, options);
}
