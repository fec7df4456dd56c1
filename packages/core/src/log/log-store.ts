import type {
  Delivery,
  DeliveryStatus,
  EventWithDeliveries,
  PageRequest,
  PageResult,
} from '@hookline/api';
import type { Change } from './changes';

/**
 * The log of what happened: events, deliveries and their attempts, searchable for as long as
 * `HOOKLINE_RETENTION` keeps them. Written only by the log writer, from the change stream
 * (changes.ts); read by the API for lists, counts, search and the dead letter. One driver per
 * engine behind this interface (postgres/ today), as Outpost's `logstore` does.
 */
export interface LogStore {
  /** Brings the schema to the newest version (run at every start; safe to run concurrently). */
  migrate(): Promise<void>;

  /**
   * Writes changes, idempotently and in any order: a change already written, or older than what
   * a row holds, changes nothing. All of them or none (one transaction).
   */
  write(changes: readonly Change[]): Promise<void>;

  /**
   * Creates the time partitions `now` and the next days need, and drops those wholly older than
   * `retentionMs`. Returns how many partitions it dropped.
   */
  maintain(now: number, retentionMs: number): Promise<number>;

  /** An event with its deliveries' states, or undefined. */
  getEvent(id: string): Promise<EventWithDeliveries | undefined>;
  /** Events, newest first (test sends are not listed). */
  listEvents(query: EventSearch): Promise<PageResult<EventWithDeliveries>>;

  /** Deliveries with all their attempts, in the order of `ids`; unknown ids are left out. */
  getDeliveries(ids: readonly string[]): Promise<Delivery[]>;
  /** Deliveries, newest first. */
  listDeliveries(query: DeliverySearch): Promise<PageResult<Delivery>>;
  /** Those of `ids` that the log holds delivered or dead. */
  settledIds(ids: readonly string[]): Promise<string[]>;
  /** The tenant of a logged delivery (null: untenanted), or undefined if it is not in the log. */
  tenantOfDelivery(id: string): Promise<string | null | undefined>;

  /**
   * Dead-lettered deliveries to replay, oldest first, with what re-enqueuing one needs. At most
   * `limit` (a replay works through the dead letter in pages).
   */
  deadLetterForReplay(query: DeadLetterSearch, limit: number): Promise<ReplayCandidate[]>;
  /** Logged deliveries with what requeuing one needs, whatever their status; unknown ids left out. */
  requeueCandidates(
    ids: readonly string[],
  ): Promise<(ReplayCandidate & { status: DeliveryStatus })[]>;
  /** How many deliveries the search finds (counts for the API and the gauges). */
  count(query: Omit<DeliverySearch, keyof PageRequest>): Promise<number>;

  /**
   * Delivered, failed and dead deliveries per `bucketMs` from `since` to `until`, for the
   * console's charts: `failed` counts failed attempts that left a retry to come; `delivered`
   * and `dead`, deliveries that settled so in the bucket.
   */
  activity(query: ActivityQuery): Promise<ActivityBucket[]>;

  close(): Promise<void>;
}

/** Filters of `GET /v1/events`; every one optional, all of them ANDed. */
export interface EventSearch extends PageRequest {
  /** A tenant's; null: only what has no tenant; absent: every tenant's. */
  tenant_id?: string | null | undefined;
  /** Exact, or a prefix with a trailing `*` (`order.*`). */
  name?: string | undefined;
  resource_id?: string | undefined;
  /** ms, inclusive. */
  since?: number | undefined;
  /** ms, exclusive. */
  until?: number | undefined;
}

/** Filters of `GET /v1/deliveries` and the lists built on it; all ANDed. */
export interface DeliverySearch extends PageRequest {
  /** A tenant's; null: only what has no tenant; absent: every tenant's. */
  tenant_id?: string | null | undefined;
  endpoint_id?: string | undefined;
  event_id?: string | undefined;
  status?: DeliveryStatus | readonly DeliveryStatus[] | undefined;
  /** Only what is in (true) or out of (false) the dead letter. */
  dead_letter?: boolean | undefined;
  /** Exact, or a prefix with a trailing `*`. */
  name?: string | undefined;
  resource_id?: string | undefined;
  /** The last attempt's HTTP status. */
  http_status?: number | undefined;
  /** ms of creation, inclusive. */
  since?: number | undefined;
  /** ms of creation, exclusive. */
  until?: number | undefined;
}

export interface DeadLetterSearch {
  /** A tenant's; null: only what has no tenant; absent: every tenant's. */
  tenant_id?: string | null | undefined;
  endpoint_id?: string | undefined;
  ids?: readonly string[] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Only ids greater than this (the last of the previous page). */
  after?: string | undefined;
}

/** A dead-lettered delivery and what a replay needs to enqueue it again. */
export interface ReplayCandidate {
  id: string;
  event_id: string;
  endpoint_id: string;
  tenant_id: string | null;
  event_name: string;
  resource_id: string | null;
  test: boolean;
  created_at: number;
  attempts: number;
  /** The event's body (the exact JSON receivers get). */
  body: string;
  traceparent: string | null;
}

export interface ActivityQuery {
  /** A tenant's; null: only what has no tenant; absent: every tenant's. */
  tenant_id?: string | null | undefined;
  endpoint_id?: string | undefined;
  since: number;
  until: number;
  bucketMs: number;
}

export interface ActivityBucket {
  /** ms, the bucket's start. */
  at: number;
  delivered: number;
  failed: number;
  dead: number;
}
