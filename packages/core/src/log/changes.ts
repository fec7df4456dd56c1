import type { Attempt, DeliveryStatus } from '@hookline/api';

/**
 * What the change stream carries: every change an event or a delivery goes through, appended to
 * its shard's Redis stream in the same atomic step as the queue change (the Lua scripts under
 * commands/), and written to the log by the log writer (log-writer.ts). A change names
 * everything the log needs to write its row, so the log can take changes in any order and twice:
 * a row keeps the change of the highest `version` it has seen.
 *
 * `version` is the change's stream entry id (`<ms>-<seq>`), which Redis makes strictly increasing
 * per stream; a delivery's changes are all in its shard's stream, so they compare. Compare with
 * {@link compareVersions}, never as strings.
 */

/** An event accepted by a publish (or a test send), with the deliveries made for it. */
export interface EventAccepted {
  kind: 'event';
  version: string;
  id: string;
  name: string;
  tenant_id: string | null;
  resource_id: string | null;
  resource_type: string | null;
  /** ms since the epoch; the same instant the id encodes. */
  created_at: number;
  /** The exact JSON receivers get. */
  body: string;
  /** A test send: not listed among events, its deliveries carry no `Event-Id`. */
  test: boolean;
  /** W3C `traceparent` of the publish, if it carried one. */
  traceparent: string | null;
  /** Its deliveries, each `pending` with no attempt, as of this change. */
  deliveries: { id: string; endpoint_id: string }[];
  /**
   * Its deliveries to ordered endpoints, which their lines' shards hold and log with a change of
   * their own there (ordering/lines.ts): named here for reads by id only, never written from here.
   */
  lined: { id: string; endpoint_id: string }[];
}

/**
 * A delivery's state after a change: an attempt recorded (and the status it led to), a replay, a
 * drop. It repeats what the delivery row is keyed and searched by (event, endpoint, tenant, name,
 * resource, created_at), so a writer that meets it before the event's own change still writes a
 * whole row.
 */
export interface DeliveryChanged {
  kind: 'delivery';
  version: string;
  id: string;
  event_id: string;
  endpoint_id: string;
  tenant_id: string | null;
  event_name: string;
  resource_id: string | null;
  test: boolean;
  /** ms; the delivery's creation (its event's). */
  created_at: number;
  status: DeliveryStatus;
  /** Attempts made so far, in every cycle. */
  attempts: number;
  /** ms, when it waits for a retry; else null. */
  next_attempt_at: number | null;
  /** ms of this change. */
  at: number;
  /** Whether it is in the dead letter after this change (dead, and not because its endpoint was deleted). */
  dead_letter: boolean;
  /** The attempt this change recorded, if it recorded one. */
  attempt: Attempt | null;
}

export type Change = EventAccepted | DeliveryChanged;

/** Orders two stream entry ids (`<ms>-<seq>`): negative when `a` is older. */
export function compareVersions(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}
