import type { EventResource, JsonObject, WebhookEvent } from '@hookline/webhooks';
import type { PreparedEvent } from './delivery-store';
import { newId } from './ids';

export interface EventInput {
  name: string;
  data: JsonObject;
  resource?: EventResource | undefined;
}

/**
 * Builds the event receivers get and serialises it once: the stored bytes are the bytes that
 * are signed and sent on every attempt. `resource` is left out, not null, when absent.
 */
export function prepareEvent(
  input: EventInput,
  endpointIds: readonly string[],
  options: { now?: number; test?: boolean } = {},
): PreparedEvent {
  const now = options.now ?? Date.now();
  const event: WebhookEvent = {
    id: newId('evt', now),
    name: input.name,
    ...(input.resource ? { resource: input.resource } : {}),
    data: input.data,
    created_at: new Date(now).toISOString(),
  };
  return {
    event,
    body: JSON.stringify(event),
    endpointIds,
    ...(options.test ? { test: true } : {}),
  };
}
