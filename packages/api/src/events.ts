import { EventResource, JsonObject, WebhookEvent } from '@hookline/webhooks';
import { z } from 'zod';
import { NameFilter, SearchFilters } from './search';
import { DeliveryStatus } from './deliveries';
import { EndpointId, EventId } from './ids';
import { CallerEventName } from './operational-events';
import { listOf, pageQuery } from './pagination';
import { TenantId } from './tenants';
import { TraceId, Traceparent, Tracestate } from './trace-context';

/** `POST /v1/events` */
export const PublishEvent = z.strictObject({
  name: CallerEventName,
  data: JsonObject,
  /** The tenant it is for: it reaches only that tenant's endpoints (absent: only untenanted ones). */
  tenant_id: TenantId.optional(),
  resource: EventResource.optional(),
  endpoint_ids: z.array(EndpointId).max(1000).optional(),
  traceparent: Traceparent.optional(),
  tracestate: Tracestate.optional(),
});
export type PublishEvent = z.infer<typeof PublishEvent>;

/** The most events one batch publish takes. */
export const MAX_BATCH = 1000;

/** `POST /v1/events/batch` */
export const PublishBatch = z.strictObject({
  events: z.array(PublishEvent).min(1).max(MAX_BATCH),
});
export type PublishBatch = z.infer<typeof PublishBatch>;

/** What a publish answers per event: its id and how many deliveries it created. */
export const Published = z.object({ id: EventId, deliveries: z.number().int() });
export type Published = z.infer<typeof Published>;

export const PublishedBatch = z.object({ data: z.array(Published) });
export type PublishedBatch = z.infer<typeof PublishedBatch>;

/** `POST /v1/endpoints/:id/test`: a test delivery, signed like any other, without `Event-Id`. */
export const TestSend = z.strictObject({
  name: CallerEventName,
  data: JsonObject.default({}),
});
export type TestSend = z.infer<typeof TestSend>;

/** One delivery of an event, as the event shows it (`attempts` is a count here). */
export const EventDelivery = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
});
export type EventDelivery = z.infer<typeof EventDelivery>;

/**
 * An event as the API shows it: the body receivers get, the tenant it was published for, and the
 * trace its publish carried (null when the publish had no valid `traceparent`).
 */
export const Event = WebhookEvent.extend({
  tenant_id: TenantId.nullable(),
  trace_id: TraceId.nullable(),
});
export type Event = z.infer<typeof Event>;

/** `GET /v1/events/:id`: the event plus the state of each of its deliveries. */
export const EventWithDeliveries = Event.extend({ deliveries: z.array(EventDelivery) });
export type EventWithDeliveries = z.infer<typeof EventWithDeliveries>;

const Time = z.iso.datetime({ offset: true });

/** `GET /v1/events`: newest first, within the retention. */
export const EventListQuery = pageQuery(EventId).extend({
  /** Only events published for this tenant. */
  tenant_id: TenantId.optional(),
  /** Only events of this name, or of names under a prefix (`order.*`). */
  name: NameFilter.optional().describe('only events of this name, or under a prefix (`order.*`)'),
  ...SearchFilters,
  /** Only events created at or after this time. */
  after: Time.optional().describe('only events created at or after this time (ISO 8601)'),
  /** Only events created before this time. */
  before: Time.optional().describe('only events created before this time (ISO 8601)'),
});
export type EventListQuery = z.output<typeof EventListQuery>;

export const EventList = listOf(EventWithDeliveries);
export type EventList = z.infer<typeof EventList>;
