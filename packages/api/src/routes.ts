import { z } from 'zod';
import {
  DeadLetterQuery,
  DeadLetterReplay,
  Delivery,
  DeliveryList,
  DeliveryListQuery,
  Recover,
  Recovered,
  Replayed,
} from './deliveries';
import {
  CreatedEndpoint,
  Endpoint,
  EndpointCreate,
  EndpointList,
  EndpointListQuery,
  EndpointPatch,
  SecretKey,
  SecretRotate,
} from './endpoints';
import type { ErrorCode } from './errors';
import {
  EventList,
  EventListQuery,
  EventWithDeliveries,
  PublishBatch,
  PublishEvent,
  Published,
  PublishedBatch,
  TestSend,
} from './events';
import { DeliveryId, EndpointId, EventId } from './ids';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** The statuses an API error comes with; its body is always `ErrorBody`. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;

export interface RouteResponse {
  description: string;
  /** The JSON body; absent when there is none (204). */
  body?: z.ZodType;
  /** Response headers worth naming (`Location`). */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

/** One `/v1` route of the HTTP API, as the OpenAPI document (openapi.ts) describes it. */
export interface Route {
  method: HttpMethod;
  /** OpenAPI form: `/v1/endpoints/{id}` (express's `:id`). */
  path: string;
  /** A stable name for client generators (`createEndpoint`). */
  operationId: string;
  tag: RouteTag;
  summary: string;
  /** Markdown. */
  description: string;
  /** Path parameters, one key per `{name}` in `path`. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers beside `Authorization` (`Idempotency-Key`). */
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The success, then every error the route can answer (see `refused`). */
  responses: Partial<Record<number, RouteResponse>>;
  /**
   * Whether a tenant key may call it (a tenant's endpoints, deliveries, event reads and dead
   * letter). Operator keys may call every route; a tenant key elsewhere is `403 forbidden`.
   */
  tenantKey: boolean;
}

export const ROUTE_TAGS = {
  Endpoints: 'Where events are delivered: URL, subscriptions, signing secret, rate limit.',
  Events: 'Publishing events, and reading them back with the state of their deliveries.',
  Deliveries: 'One event to one endpoint: its attempts, and sending it again.',
  'Dead letter': 'Deliveries that used every attempt, and replaying them.',
} as const;
export type RouteTag = keyof typeof ROUTE_TAGS;

/** `Idempotency-Key` on the publish routes (docs/api.md, "Idempotency-Key"). */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .describe(
    'Makes a retry safe: the same key and body get the first answer back and create nothing (kept 24 h).',
  );

/** What each error status means, and the code its body carries. */
export const REFUSALS: Record<ErrorStatus, { code: ErrorCode; description: string }> = {
  400: {
    code: 'invalid_json',
    description: 'The body is not JSON, or cannot be read (bad gzip, cut short).',
  },
  401: {
    code: 'unauthorized',
    description: 'A missing or wrong API key (answered with `WWW-Authenticate: Bearer`).',
  },
  403: { code: 'forbidden', description: 'A tenant key, on a route for operator keys only.' },
  404: { code: 'not_found', description: 'No such object.' },
  409: {
    code: 'idempotency_conflict',
    description: 'A request with this `Idempotency-Key` is still running after 10 s: retry later.',
  },
  413: { code: 'payload_too_large', description: 'The body is over 1 MiB.' },
  415: {
    code: 'unsupported_media_type',
    description:
      'The body is not `application/json` (or `application/*+json`), or not UTF-8/16/32.',
  },
  422: {
    code: 'validation_failed',
    description: 'The request breaks its schema: `details` names every bad field by its path.',
  },
  503: {
    code: 'unavailable',
    description: 'Redis is unreachable or too slow: nothing was written; retry later.',
  },
};

/** Error responses: each status with its usual meaning, or the one given for this route. */
function refused(
  statuses: readonly ErrorStatus[],
  descriptions: Partial<Record<ErrorStatus, string>> = {},
): Partial<Record<ErrorStatus, RouteResponse>> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? REFUSALS[status].description },
    ]),
  );
}

// What every route can answer, and what reading a JSON body adds (json-body.ts in the producer).
const ALWAYS = [401, 503] as const;
const BODY = [400, 413, 415, 422] as const;

const endpointPath = z.object({ id: EndpointId.describe('the endpoint (`ep_…`)') });
const eventPath = z.object({ id: EventId.describe('the event (`evt_…`)') });
const deliveryPath = z.object({ id: DeliveryId.describe('the delivery (`whd_…`)') });
const noEndpoint = { 404: 'No such endpoint (or `id` is not an `ep_` id).' };
const noDelivery = { 404: 'No such delivery (or `id` is not a `whd_` id).' };
const badQuery = {
  422: 'A query parameter breaks its rule, is unknown or repeated, or `cursor` is not a `next_cursor` this list handed out.',
};
const publishErrors = {
  422: 'The body breaks its schema, an `endpoint_ids` entry does not exist (`validation_failed`), or the `Idempotency-Key` was used with another body (`idempotency_conflict`).',
};

export const ROUTES: readonly Route[] = [
  {
    method: 'post',
    path: '/v1/endpoints',
    operationId: 'createEndpoint',
    tag: 'Endpoints',
    summary: 'Create an endpoint',
    description:
      'Answers the endpoint with its signing `secret`: keep it, it is shown here and on the secret route only.',
    body: EndpointCreate,
    responses: {
      201: {
        description: 'The endpoint, with its secret.',
        body: CreatedEndpoint,
        headers: { Location: { description: '`/v1/endpoints/<id>`', schema: z.string() } },
      },
      ...refused([...ALWAYS, ...BODY], {
        422: 'A field breaks its rule; `url` must be `https://` with a host name unless the deployment allows insecure URLs.',
      }),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/endpoints',
    operationId: 'listEndpoints',
    tag: 'Endpoints',
    summary: 'List endpoints',
    description: 'Oldest first, a page at a time.',
    query: EndpointListQuery,
    responses: {
      200: { description: 'A page of endpoints.', body: EndpointList },
      ...refused([...ALWAYS, 422], badQuery),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/endpoints/{id}',
    operationId: 'getEndpoint',
    tag: 'Endpoints',
    summary: 'Read an endpoint',
    description: 'The endpoint, without its secret.',
    params: endpointPath,
    responses: {
      200: { description: 'The endpoint.', body: Endpoint },
      ...refused([...ALWAYS, 404], noEndpoint),
    },
    tenantKey: true,
  },
  {
    method: 'patch',
    path: '/v1/endpoints/{id}',
    operationId: 'updateEndpoint',
    tag: 'Endpoints',
    summary: 'Update an endpoint',
    description:
      'Any subset of the writable fields, validated as on creation. `disabled: false` re-enables an endpoint Hookline disabled.',
    params: endpointPath,
    body: EndpointPatch,
    responses: {
      200: { description: 'The updated endpoint.', body: Endpoint },
      ...refused([...ALWAYS, ...BODY, 404], noEndpoint),
    },
    tenantKey: true,
  },
  {
    method: 'delete',
    path: '/v1/endpoints/{id}',
    operationId: 'deleteEndpoint',
    tag: 'Endpoints',
    summary: 'Delete an endpoint',
    description:
      'Its pending and retrying deliveries are dropped (they end `dead`); its dead letter goes with it.',
    params: endpointPath,
    responses: { 204: { description: 'Deleted.' }, ...refused([...ALWAYS, 404], noEndpoint) },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/endpoints/{id}/secret',
    operationId: 'getEndpointSecret',
    tag: 'Endpoints',
    summary: 'Read the signing secret',
    description: 'The secret the endpoint signs with now.',
    params: endpointPath,
    responses: {
      200: { description: 'The current secret.', body: SecretKey },
      ...refused([...ALWAYS, 404], noEndpoint),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/endpoints/{id}/secret/rotate',
    operationId: 'rotateEndpointSecret',
    tag: 'Endpoints',
    summary: 'Rotate the signing secret',
    description:
      'A secret is generated when `key` is absent (or there is no body). The new key signs at once; the old one keeps signing beside it for `HOOKLINE_SECRET_ROTATION_GRACE` (24 h).',
    params: endpointPath,
    body: SecretRotate,
    responses: {
      200: { description: 'The new secret.', body: SecretKey },
      ...refused([...ALWAYS, ...BODY, 404], noEndpoint),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/endpoints/{id}/test',
    operationId: 'sendTestEvent',
    tag: 'Endpoints',
    summary: 'Send a test delivery',
    description:
      'One delivery to this endpoint alone, whatever its `event_types`: signed like any other, without `Event-Id`. `GET /v1/events/{id}` shows it.',
    params: endpointPath,
    body: TestSend,
    responses: {
      202: { description: 'The test event and its one delivery.', body: Published },
      ...refused([...ALWAYS, ...BODY, 404], {
        ...noEndpoint,
        422: 'The body breaks its schema, or the endpoint is disabled (enable it first).',
      }),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/endpoints/{id}/recover',
    operationId: 'recoverEndpoint',
    tag: 'Endpoints',
    summary: 'Recover failed and dead deliveries',
    description:
      'Re-enqueues every `failed` or `dead` delivery of this endpoint created since `since`, to go now with a fresh attempt budget (they leave the dead letter).',
    params: endpointPath,
    body: Recover,
    responses: {
      202: { description: 'How many went back to pending.', body: Recovered },
      ...refused([...ALWAYS, ...BODY, 404], noEndpoint),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/endpoints/{id}/deliveries',
    operationId: 'listEndpointDeliveries',
    tag: 'Deliveries',
    summary: "List an endpoint's deliveries",
    description: 'Newest first, optionally of one status.',
    params: endpointPath,
    query: DeliveryListQuery,
    responses: {
      200: { description: 'A page of deliveries.', body: DeliveryList },
      ...refused([...ALWAYS, 404, 422], { ...noEndpoint, ...badQuery }),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/events',
    operationId: 'publishEvent',
    tag: 'Events',
    summary: 'Publish an event',
    description:
      'Creates the event and one delivery per enabled endpoint subscribed to `name` (or, with `endpoint_ids`, those of them). `deliveries` is how many; 0 is a valid answer.',
    headers: z.object({ 'Idempotency-Key': IdempotencyKey.optional() }),
    body: PublishEvent,
    responses: {
      202: { description: 'The event and how many deliveries it created.', body: Published },
      ...refused([...ALWAYS, ...BODY, 409], publishErrors),
    },
    tenantKey: false,
  },
  {
    method: 'post',
    path: '/v1/events/batch',
    operationId: 'publishEvents',
    tag: 'Events',
    summary: 'Publish a batch of events',
    description:
      'Up to 1000 events, answered in the same order. One bad event refuses the whole batch (errors at `events.N.…`) and nothing is published.',
    headers: z.object({ 'Idempotency-Key': IdempotencyKey.optional() }),
    body: PublishBatch,
    responses: {
      202: { description: 'Each event and how many deliveries it created.', body: PublishedBatch },
      ...refused([...ALWAYS, ...BODY, 409], publishErrors),
    },
    tenantKey: false,
  },
  {
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    tag: 'Events',
    summary: 'List events',
    description:
      'Published events, newest first, within the retention (`HOOKLINE_RETENTION`), as receivers get them. Test sends are not listed.',
    query: EventListQuery,
    responses: {
      200: { description: 'A page of events.', body: EventList },
      ...refused([...ALWAYS, 422], badQuery),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/events/{id}',
    operationId: 'getEvent',
    tag: 'Events',
    summary: 'Read an event',
    description: 'The event and the state of each of its deliveries.',
    params: eventPath,
    responses: {
      200: { description: 'The event with its deliveries.', body: EventWithDeliveries },
      ...refused([...ALWAYS, 404], { 404: 'No such event (or `id` is not an `evt_` id).' }),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/deliveries/{id}',
    operationId: 'getDelivery',
    tag: 'Deliveries',
    summary: 'Read a delivery',
    description: 'One delivery with all its attempts.',
    params: deliveryPath,
    responses: {
      200: { description: 'The delivery.', body: Delivery },
      ...refused([...ALWAYS, 404], noDelivery),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/deliveries/{id}/retry',
    operationId: 'retryDelivery',
    tag: 'Deliveries',
    summary: 'Deliver again now',
    description:
      'Whatever its status (a delivered one is delivered once more, with the same `Webhook-Id`), with a fresh attempt budget; it leaves the dead letter.',
    params: deliveryPath,
    responses: {
      202: { description: 'The delivery, now `pending`.', body: Delivery },
      ...refused([...ALWAYS, 404], {
        404: 'No such delivery (or `id` is not a `whd_` id), or its endpoint is gone.',
      }),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/dead-letter',
    operationId: 'listDeadLetter',
    tag: 'Dead letter',
    summary: 'List dead deliveries',
    description: "Newest first; all of them, or one endpoint's.",
    query: DeadLetterQuery,
    responses: {
      200: { description: 'A page of dead deliveries.', body: DeliveryList },
      ...refused([...ALWAYS, 404, 422], { 404: 'No such endpoint (`endpoint_id`).', ...badQuery }),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/dead-letter/replay',
    operationId: 'replayDeadLetter',
    tag: 'Dead letter',
    summary: 'Replay dead deliveries',
    description:
      "`ids` replays those; `endpoint_id` that endpoint's whole dead letter; both, those of the ids that belong to the endpoint; neither (or no body), everything. Only what is dead goes, so replaying twice is harmless.",
    body: DeadLetterReplay,
    responses: {
      202: { description: 'How many left the dead letter.', body: Replayed },
      ...refused([...ALWAYS, ...BODY, 404], { 404: 'No such endpoint (`endpoint_id`).' }),
    },
    tenantKey: true,
  },
];
