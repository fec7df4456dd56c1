// Request and response types, inferred from the zod schemas of @hookline/api, the HTTP API's
// contract, which the producer validates with. Imported as types: the client's runtime is got.
import type {
  Attempt,
  CreatedEndpoint,
  DeadLetterReplay,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EndpointCreate,
  EndpointPatch,
  ErrorCode,
  ErrorDetail,
  EventWithDeliveries,
  PageResult,
  PublishEvent,
  Published,
  Recover,
  SecretKey,
  SecretRotate,
  TestSend,
} from '@hookline/api';
import type { WebhookEvent } from '@hookline/webhooks';
import type { z } from 'zod';

export type {
  Attempt,
  CreatedEndpoint,
  Delivery,
  DeliveryStatus,
  Endpoint,
  ErrorDetail,
  EventWithDeliveries,
  Published,
  SecretKey,
  WebhookEvent,
};

/** `POST /v1/endpoints`: what `EndpointCreate` accepts; fields with a default may be left out. */
export type EndpointCreateParams = z.input<typeof EndpointCreate>;
/** `PATCH /v1/endpoints/:id`: any subset of the endpoint's fields. */
export type EndpointUpdateParams = z.input<typeof EndpointPatch>;
/** `POST /v1/events`: `{name, data, resource?, endpoint_ids?}`. */
export type PublishParams = z.input<typeof PublishEvent>;
/** `POST /v1/endpoints/:id/test`: `{name, data?}`. */
export type TestSendParams = z.input<typeof TestSend>;
/** `POST /v1/endpoints/:id/secret/rotate`: `{key?}`; a secret is generated when `key` is absent. */
export type SecretRotateParams = z.input<typeof SecretRotate>;
/** `POST /v1/dead-letter/replay`: `{endpoint_id?, ids?}`; neither means the whole dead letter. */
export type DeadLetterReplayParams = z.input<typeof DeadLetterReplay>;
/** `POST /v1/endpoints/:id/recover`: `{since}`, an ISO 8601 time (a `Date` is converted). */
export type RecoverParams = { since: z.input<typeof Recover>['since'] | Date };

/** One page of a list: `{data, next_cursor}`; `next_cursor` is `null` on the last page. */
export type Page<T> = PageResult<T>;

/** Paging of every list. */
export interface ListParams {
  /** Items per page (what one request asks for), 1–250. Default 50 (the API's). */
  limit?: number;
  /** Start after this cursor (a `next_cursor` from an earlier page). */
  cursor?: string;
}

export interface DeliveryListParams extends ListParams {
  endpoint_id: string;
  status?: DeliveryStatus;
}

export interface EventListParams extends ListParams {
  /** Only events of exactly this name. */
  name?: string;
  /** Only events created at or after this time. */
  after?: string | Date;
  /** Only events created before this time. */
  before?: string | Date;
}

export interface DeadLetterListParams extends ListParams {
  /** Only this endpoint's dead deliveries. */
  endpoint_id?: string;
}

/**
 * The API's error codes (docs/api.md), plus `invalid_response` for an answer that is not Hookline's error
 * shape (a proxy's HTML 502, a truncated body).
 */
export type ApiErrorCode = ErrorCode | 'invalid_response';
