import { hash } from 'node:crypto';
import type { Ordering, OrderingKey } from '@hookline/api';
import type { DeliverJob } from '../queues';
import type { RedisKeys } from '../redis/keys';
import { shardOfSlot, slotOfDigest } from '../redis/shards';

// Ordered endpoints (README, "Ordered endpoints"). The deliveries of one line — one ordered
// endpoint and one value of its ordering key — go one at a time, in the order they joined the
// line. A line lives in one slot (shards.ts), chosen from its name, and so do its deliveries:
// their ids name that slot, not their event's, so the line's list, its deliveries' jobs and their
// changes share one shard, and joining the line, settling its head and releasing the next are
// each one atomic step there (commands/line-up-5.lua, commands/record-2.lua).

/** What an event is lined up by: its tenant and its resource, as published. */
export interface LinedEvent {
  tenantId: string | null;
  resourceId: string | null;
}

/** A line: its name (unique per endpoint and key value) and the slot it lives in. */
export interface Line {
  name: string;
  slot: number;
}

/**
 * The line of `event` at an endpoint ordered by `key`. An event without a resource (key
 * `resource`) or without a tenant (key `tenant`) joins the endpoint's line of events without one.
 */
export function lineOf(endpointId: string, key: OrderingKey, event: LinedEvent): Line {
  const value =
    key === 'endpoint' ? '' : ((key === 'resource' ? event.resourceId : event.tenantId) ?? '');
  const name = `${endpointId}:${key}:${value}`;
  return { name, slot: slotOfDigest(hash('sha256', name)) };
}

/**
 * The line a delivery made earlier joins when it is put back (a replay, a retry, a recovery): its
 * endpoint's line for it now, if the endpoint is ordered and that line is in the delivery's shard,
 * where its job lives — always so when the endpoint is ordered as when the delivery was made.
 * Undefined otherwise: it goes back as it was made, unordered.
 */
export function lineOfDelivery(
  keys: Pick<RedisKeys, 'shardOf' | 'shards'>,
  data: Pick<DeliverJob, 'delivery_id' | 'endpoint_id' | 'tenant_id' | 'resource_id'>,
  ordering: Ordering | null,
): Line | undefined {
  if (!ordering) return undefined;
  const line = lineOf(data.endpoint_id, ordering.key, {
    tenantId: data.tenant_id,
    resourceId: data.resource_id,
  });
  return shardOfSlot(line.slot, keys.shards) === keys.shardOf(data.delivery_id) ? line : undefined;
}

/** The endpoint and key value a line's name holds (the value may itself hold ':'). */
export function parseLineName(name: string): { endpointId: string; key: string; value: string } {
  const [endpointId = '', key = '', ...rest] = name.split(':');
  return { endpointId, key, value: rest.join(':') };
}
