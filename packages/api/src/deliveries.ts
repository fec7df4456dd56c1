import { z } from 'zod';
import { DeliveryId, EndpointId } from './ids';
import { listOf, pageQuery } from './pagination';
import { NameFilter, SearchFilters } from './search';
import { TenantId } from './tenants';
import { TraceId } from './trace-context';

/**
 * `pending` (queued or waiting to retry), `delivered`, `failed` (last attempt failed, more to
 * come), `dead` (attempts exhausted, or the endpoint is gone or disabled).
 */
export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed', 'dead']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** The error kinds an attempt can end in, besides an HTTP status. */
export const AttemptError = z.enum([
  'timeout',
  'connection',
  'dns',
  'ssrf_blocked',
  'tls',
  'tls_client_certificate',
  'auth_token',
  // A broker's own refusals (RabbitMQ, NATS JetStream): the credentials; the message (a negative
  // confirm, e.g. a full queue); no queue or stream takes it; the broker closed the channel.
  'broker_auth',
  'broker_nack',
  'unroutable',
  'broker_refused',
]);
export type AttemptError = z.infer<typeof AttemptError>;

export const Attempt = z.object({
  number: z.number().int().min(1),
  at: z.string(),
  duration_ms: z.number(),
  status_code: z.number().int().nullable(),
  error: AttemptError.nullable(),
  response_excerpt: z.string(),
});
export type Attempt = z.infer<typeof Attempt>;

/**
 * A delivery with every attempt. `event_id` is null for a test delivery; `trace_id` is its
 * event's (null when the publish carried no valid `traceparent`).
 */
export const Delivery = z.object({
  id: DeliveryId,
  event_id: z.string().nullable(),
  trace_id: TraceId.nullable(),
  endpoint_id: EndpointId,
  status: DeliveryStatus,
  attempts: z.array(Attempt),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
});
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryList = listOf(Delivery);
export type DeliveryList = z.infer<typeof DeliveryList>;

/** `GET /v1/endpoints/:id/deliveries` */
export const DeliveryListQuery = pageQuery(DeliveryId).extend({
  status: DeliveryStatus.optional().describe('only deliveries in this state'),
});
export type DeliveryListQuery = z.output<typeof DeliveryListQuery>;

/** A decimal integer in a query string (`404`), nothing else. */
const HttpStatusFilter = z
  .string()
  .regex(/^[1-5][0-9][0-9]$/, 'must be an HTTP status, 100-599')
  .transform(Number);

/** `GET /v1/deliveries`: every filter optional, all of them ANDed. */
export const DeliverySearchQuery = pageQuery(DeliveryId).extend({
  tenant_id: TenantId.optional().describe("only this tenant's deliveries"),
  endpoint_id: EndpointId.optional().describe("only this endpoint's deliveries"),
  status: DeliveryStatus.optional().describe('only deliveries in this state'),
  name: NameFilter.optional().describe(
    'only deliveries of events of this name, or under a prefix (`order.*`)',
  ),
  http_status: HttpStatusFilter.optional().describe(
    "only deliveries whose last attempt's HTTP status was this",
  ),
  ...SearchFilters,
});
export type DeliverySearchQuery = z.output<typeof DeliverySearchQuery>;

/** `GET /v1/dead-letter` */
export const DeadLetterQuery = pageQuery(DeliveryId).extend({
  endpoint_id: EndpointId.optional().describe("only this endpoint's dead deliveries"),
  tenant_id: TenantId.optional().describe("only this tenant's dead deliveries"),
});
export type DeadLetterQuery = z.output<typeof DeadLetterQuery>;

/** `POST /v1/dead-letter/replay`: no field means the whole dead letter (of the key's tenant, for a tenant key). */
export const DeadLetterReplay = z.strictObject({
  endpoint_id: EndpointId.optional(),
  /** Only this tenant's dead letter. */
  tenant_id: TenantId.optional(),
  ids: z.array(DeliveryId).min(1).max(1000).optional(),
  /** Only deliveries created at or after this time. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** Only deliveries created before this time. */
  until: z.iso.datetime({ offset: true }).optional(),
  /** Count what would be replayed, and replay nothing. */
  dry_run: z.boolean().optional(),
});
export type DeadLetterReplay = z.infer<typeof DeadLetterReplay>;

/** The replay's answer: how many left the dead letter (with `dry_run`, how many would have). */
export const Replayed = z.object({ replayed: z.number().int(), dry_run: z.boolean() });
export type Replayed = z.infer<typeof Replayed>;

/** `POST /v1/endpoints/:id/recover`: re-enqueue what failed or died since then (ISO 8601). */
export const Recover = z.strictObject({ since: z.iso.datetime({ offset: true }) });
export type Recover = z.infer<typeof Recover>;

/** The recovery's answer: how many deliveries went back to pending. */
export const Recovered = z.object({ recovered: z.number().int() });
export type Recovered = z.infer<typeof Recovered>;
