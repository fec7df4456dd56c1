import type { OrderingKey } from '@hookline/api';
import type { EventResource, JsonObject, WebhookEvent } from '@hookline/webhooks';
import { newId } from '../ids';
import { withSlot } from '../redis/shards';

/** An event ready to be written: its body is the exact JSON receivers get. */
export interface PreparedEvent {
  event: WebhookEvent;
  body: string;
  /** The tenant it is for; null for an untenanted event. */
  tenantId: string | null;
  endpointIds: readonly string[];
  test?: boolean;
  /**
   * Its ordered endpoints among `endpointIds`, with what each lines deliveries up by
   * (ordering/lines.ts); none when absent.
   */
  orderings?: ReadonlyMap<string, OrderingKey> | undefined;
  /** Its tenant's weight (tenant-store.ts): its share of the front lane; 1 when absent. */
  weight?: number | undefined;
  /** The publish's W3C trace context, if it carried one, and its `tracestate`. */
  traceparent?: string | null;
  tracestate?: string | null;
}

export interface EventInput {
  name: string;
  data: JsonObject;
  resource?: EventResource | undefined;
  /** The tenant it is for; absent or null for an untenanted event. Not part of the body. */
  tenant_id?: string | null | undefined;
}

/**
 * Builds the event receivers get and serialises it once: the stored bytes are the bytes that
 * are signed and sent on every attempt. `resource` is left out, not null, when absent. The tenant
 * is kept beside the body, not in it: receivers get the same shape whoever the event is for.
 */
export function prepareEvent(
  input: EventInput,
  endpointIds: readonly string[],
  /** `slot`: the slot (shards.ts) a new id names; the events of one publish share one. */
  options: { now?: number; test?: boolean; id?: string; slot?: number } = {},
): PreparedEvent {
  const now = options.now ?? Date.now();
  const event: WebhookEvent = {
    id:
      options.id ??
      (options.slot === undefined ? newId('evt', now) : withSlot(newId('evt', now), options.slot)),
    name: input.name,
    ...(input.resource ? { resource: input.resource } : {}),
    data: input.data,
    created_at: new Date(now).toISOString(),
  };
  return {
    event,
    body: JSON.stringify(event),
    tenantId: input.tenant_id ?? null,
    endpointIds,
    ...(options.test ? { test: true } : {}),
  };
}
