// Request and response types, inferred from the zod schemas the producer validates with. Every
// import from @hookline/core is `import type`: it is erased from the compiled client, so the
// client's runtime carries none of core's Redis and queue code (core's own dependencies are still
// installed beside it, for these types).
import type {
  Attempt,
  DeadLetterReplay,
  Delivery,
  DeliveryStatus,
  Endpoint,
  endpointInputSchemas,
  ErrorCode,
  PublishEvent,
  Recover,
  SecretRotate,
  TestSend,
} from '@hookline/core';
import type { WebhookEvent } from '@hookline/webhooks';
import type { z } from 'zod';

export type { Attempt, Delivery, DeliveryStatus, Endpoint, WebhookEvent };

type EndpointSchemas = ReturnType<typeof endpointInputSchemas>;

/** `POST /v1/endpoints`: what `EndpointCreate` accepts; fields with a default may be left out. */
export type EndpointCreateParams = z.input<EndpointSchemas['EndpointCreate']>;
/** `PATCH /v1/endpoints/:id`: any subset of the endpoint's fields. */
export type EndpointUpdateParams = z.input<EndpointSchemas['EndpointPatch']>;
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

/** An endpoint as its creation returns it: the only answer, with the secret route's, that holds `secret`. */
export type CreatedEndpoint = Endpoint & { secret: string };

/** A signing secret. */
export interface SecretKey {
  key: string;
}

/** What a publish answers per event. */
export interface Published {
  id: string;
  /** How many deliveries were created: one per subscribed, enabled endpoint. */
  deliveries: number;
}

/** An event with the state of each of its deliveries (`attempts` is a count here). */
export type EventWithDeliveries = WebhookEvent & {
  deliveries: { id: string; endpoint_id: string; status: DeliveryStatus; attempts: number }[];
};

/** One page of a list: `{data, next_cursor}`; `next_cursor` is `null` on the last page. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

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

export interface DeadLetterListParams extends ListParams {
  /** Only this endpoint's dead deliveries. */
  endpoint_id?: string;
}

/** One entry of an API error's `details`: where (`url`, `events.3.name`) and what. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * The SPEC's error codes, plus `invalid_response` for an answer that is not Hookline's error
 * shape (a proxy's HTML 502, a truncated body).
 */
export type ApiErrorCode = ErrorCode | 'invalid_response';
