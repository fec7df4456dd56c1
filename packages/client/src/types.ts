// Request and response types, inferred from the zod schemas of @hookline/api, the HTTP API's
// contract, which the producer validates with. Imported as types: the client's runtime is got.
import type {
  Attempt,
  BlockedLine,
  BlockedLines,
  CreatedEndpoint,
  CreatedOperatorKey,
  DeadLetterReplay,
  Delivery,
  DeliveryList,
  DeliverySearchQuery,
  DeliveryStatus,
  Endpoint,
  EndpointCreate,
  EndpointPatch,
  EndpointType,
  ErrorCode,
  ErrorDetail,
  Event,
  EventList,
  EventWithDeliveries,
  OperatorKey,
  OperatorKeyCreate,
  OperatorKeyRotate,
  Ordering,
  OrderingKey,
  PageResult,
  PublishEvent,
  Published,
  Recover,
  Replayed,
  Resealed,
  SecretKey,
  SecretRotate,
  Tenant,
  TenantKey,
  TenantKeyCreate,
  TenantSettings,
  TenantSummary,
  TestSend,
} from '@hookline/api';
import type { WebhookEvent } from '@hookline/webhooks';
import type { z } from 'zod';

export type {
  Attempt,
  BlockedLine,
  BlockedLines,
  CreatedEndpoint,
  CreatedOperatorKey,
  Delivery,
  DeliveryList,
  DeliveryStatus,
  Endpoint,
  EndpointType,
  ErrorDetail,
  Event,
  EventList,
  EventWithDeliveries,
  OperatorKey,
  Ordering,
  OrderingKey,
  Published,
  Replayed,
  Resealed,
  SecretKey,
  Tenant,
  TenantKey,
  TenantSummary,
  WebhookEvent,
};

/**
 * `POST /v1/endpoints`: what `EndpointCreate` accepts, one shape per `type` (`http` when left out);
 * fields with a default may be left out.
 */
export type EndpointCreateParams = z.input<typeof EndpointCreate>;
/** An `http` endpoint: `{url, auth?, …}`, POSTed signed webhooks; `type` may be left out. */
export type HttpEndpointCreateParams = Extract<EndpointCreateParams, { type?: 'http' }>;
/**
 * A `rabbitmq` endpoint: `{type: 'rabbitmq', url: 'amqps://user:pass@host/vhost', exchange?,
 * routing_key?, …}`; `exchange` defaults to the default exchange, `routing_key` to `{event}`.
 */
export type RabbitMqEndpointCreateParams = Extract<EndpointCreateParams, { type: 'rabbitmq' }>;
/** A `nats` endpoint: `{type: 'nats', url: 'tls://…[,tls://…]', subject, …}`, published to JetStream. */
export type NatsEndpointCreateParams = Extract<EndpointCreateParams, { type: 'nats' }>;
/**
 * `PATCH /v1/endpoints/:id`: any subset of the endpoint's fields; `exchange` and `routing_key`
 * (`rabbitmq`), `subject` (`nats`) and `auth` (`http`) only for their type, which never changes.
 */
export type EndpointUpdateParams = z.input<typeof EndpointPatch>;
/** `POST /v1/events`: `{name, data, tenant_id?, resource?, endpoint_ids?}`. */
export type PublishParams = z.input<typeof PublishEvent>;
/** `POST /v1/endpoints/:id/test`: `{name, data?}`. */
export type TestSendParams = z.input<typeof TestSend>;
/** `POST /v1/endpoints/:id/secret/rotate`: `{key?}`; a secret is generated when `key` is absent. */
export type SecretRotateParams = z.input<typeof SecretRotate>;
/** A time as the API takes it: ISO 8601 (`2026-01-01T00:00:00Z`), or a `Date`, which is converted. */
export type Time = string | Date;

/**
 * `POST /v1/dead-letter/replay`: `{endpoint_id?, tenant_id?, ids?, since?, until?, dry_run?}`;
 * none of the filters means the whole dead letter (a tenant key's: its tenant's).
 */
export interface DeadLetterReplayParams extends Omit<
  z.input<typeof DeadLetterReplay>,
  'since' | 'until'
> {
  /** Only deliveries created at or after this time. */
  since?: Time;
  /** Only deliveries created before this time. */
  until?: Time;
}
/** `POST /v1/endpoints/:id/recover`: `{since}`, an ISO 8601 time (a `Date` is converted). */
export type RecoverParams = { since: z.input<typeof Recover>['since'] | Date };

/** `PUT /v1/tenants/:id`: `{weight}`, the tenant's share of the front lane (1-100, default 1). */
export type TenantSettingsParams = z.input<typeof TenantSettings>;

/** `POST /v1/tenants/:id/keys`: `{expires_in?}`, a duration like `30m`, `24h` (default), `7d`; at most `30d`. */
export type TenantKeyCreateParams = z.input<typeof TenantKeyCreate>;

/** `POST /v1/operator-keys`: `{name?, expires_in?}`; without `expires_in` the key lives until revoked. */
export type OperatorKeyCreateParams = z.input<typeof OperatorKeyCreate>;
/** `POST /v1/operator-keys/:id/rotate`: `{grace?}`, how long the old key keeps working (`0s`–`30d`). */
export type OperatorKeyRotateParams = z.input<typeof OperatorKeyRotate>;

/** One page of a list: `{data, next_cursor}`; `next_cursor` is `null` on the last page. */
export type Page<T> = PageResult<T>;

/** Paging of every list. */
export interface ListParams {
  /** Items per page (what one request asks for), 1–250. Default 50 (the API's). */
  limit?: number;
  /** Start after this cursor (a `next_cursor` from an earlier page). */
  cursor?: string;
}

export interface EndpointListParams extends ListParams {
  /** Only this tenant's endpoints. A tenant key sees its own tenant's only, with or without it. */
  tenant_id?: string;
}

/**
 * `GET /v1/deliveries`: every filter optional, all of them ANDed (`tenant_id`, `endpoint_id`,
 * `status`, `name`: exact or a prefix like `order.*`, `resource_id`: the event's `resource.id`,
 * `http_status`: the last attempt's), and `since`/`until`: created in that time.
 */
export interface DeliveryListParams
  extends ListParams, Omit<DeliverySearchQuery, 'limit' | 'cursor' | 'since' | 'until'> {
  /** Only deliveries created at or after this time. */
  since?: Time;
  /** Only deliveries created before this time. */
  until?: Time;
}

export interface EventListParams extends ListParams {
  /** Only events published for this tenant. */
  tenant_id?: string;
  /** Only events of this name, or of names under a prefix (`order.*`). */
  name?: string;
  /** Only events about this `resource.id`. */
  resource_id?: string;
  /** Only events created at or after this time (`after` says the same; the later one counts). */
  since?: Time;
  /** Only events created before this time (`before` says the same; the earlier one counts). */
  until?: Time;
  /** Only events created at or after this time. */
  after?: Time;
  /** Only events created before this time. */
  before?: Time;
}

export interface DeadLetterListParams extends ListParams {
  /** Only this endpoint's dead deliveries. */
  endpoint_id?: string;
  /** Only this tenant's dead deliveries. */
  tenant_id?: string;
}

/**
 * The API's error codes (docs/api.md), plus `invalid_response` for an answer that is not Hookline's error
 * shape (a proxy's HTML 502, a truncated body).
 */
export type ApiErrorCode = ErrorCode | 'invalid_response';
