import { WebhookEvent } from '@hookline/webhooks';
import { z } from 'zod';
import { Activity, ActivityQuery } from './activity';
import {
  DeadLetterQuery,
  DeadLetterReplay,
  Delivery,
  DeliveryList,
  DeliveryListQuery,
  DeliverySearchQuery,
  Recover,
  Recovered,
  Replayed,
} from './deliveries';
import {
  BlockedLines,
  CreatedEndpoint,
  Endpoint,
  EndpointCreate,
  EndpointList,
  EndpointListQuery,
  EndpointPatch,
  SecretKey,
  SecretRotate,
} from './endpoints';
import { Resealed } from './encryption-keys';
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
import { DeliveryId, EndpointId, EventId, OperatorKeyId } from './ids';
import {
  CreatedOperatorKey,
  OperatorKeyCreate,
  OperatorKeyList,
  OperatorKeyListQuery,
  OperatorKeyRotate,
} from './operator-keys';
import { OPERATIONAL_EVENTS, type OperationalEventName } from './operational-events';
import {
  Tenant,
  TenantId,
  TenantKey,
  TenantKeyCreate,
  TenantList,
  TenantListQuery,
  TenantSettings,
} from './tenants';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The statuses an API error comes with; its body is always `ErrorBody`. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export interface RouteResponse {
  description: string;
  /** The JSON body; absent when there is none (204). */
  body?: z.ZodType;
  /** Response headers worth naming (`Location`). */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
  /** An error's code, where it is not the one its status usually carries ({@link REFUSALS}). */
  code?: ErrorCode;
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
   * letter). Operator keys may call every route; a tenant key elsewhere is `403 forbidden`, which
   * the document adds by itself. A route a tenant key may call declares its own 403 when it takes
   * a `tenant_id`: a tenant key naming another tenant's is refused.
   */
  tenantKey: boolean;
}

export const ROUTE_TAGS = {
  Endpoints: 'Where events are delivered: URL, subscriptions, signing secret, rate limit.',
  Events: 'Publishing events, and reading them back with the state of their deliveries.',
  Deliveries: 'One event to one endpoint: its attempts, and sending it again.',
  'Dead letter': 'Deliveries that used every attempt, and replaying them.',
  Tenants:
    "The publisher's customers, for operator keys: their size, removing one, and the keys of their portal.",
  'Operator keys':
    'Keys to every route, made, rotated and revoked through the API, beside the bootstrap keys of `HOOKLINE_API_KEYS`.',
  'Encryption keys':
    'The keys stored secrets are sealed under (`HOOKLINE_ENCRYPTION_KEYS`), for operator keys: moving every secret to the first one.',
} as const;
export type RouteTag = keyof typeof ROUTE_TAGS;

/** `Idempotency-Key` on the publish routes (docs/api.md, "Idempotency-Key"). */
export const IdempotencyKey = z
  .string()
  // One message for both bounds: the producer answers a bad header with it, as its 422's detail.
  .min(1, 'must be 1 to 255 characters')
  .max(255, 'must be 1 to 255 characters')
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
  429: {
    code: 'rate_limited',
    description:
      "A tenant key, over its tenant's budget a minute (`HOOKLINE_TENANT_RETRIES_PER_MINUTE`, `HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE`): nothing was done; retry after `Retry-After` seconds. Operator keys have no budget.",
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

// The path parameters of the routes, named so that a server can tell which kind of object a
// malformed one failed to name (the producer answers each with its own 404).
export const EndpointPath = z.object({ id: EndpointId.describe('the endpoint (`ep_…`)') });
export type EndpointPath = z.infer<typeof EndpointPath>;
export const EventPath = z.object({ id: EventId.describe('the event (`evt_…`)') });
export type EventPath = z.infer<typeof EventPath>;
export const DeliveryPath = z.object({ id: DeliveryId.describe('the delivery (`whd_…`)') });
export type DeliveryPath = z.infer<typeof DeliveryPath>;
export const TenantPath = z.object({ tenant_id: TenantId.describe('the tenant') });
export type TenantPath = z.infer<typeof TenantPath>;
export const OperatorKeyPath = z.object({
  id: OperatorKeyId.describe('the operator key (`opk_…`)'),
});
export type OperatorKeyPath = z.infer<typeof OperatorKeyPath>;
const noOperatorKey = {
  404: 'No such operator key: never made, revoked or expired (or `id` is not an `opk_` id).',
};
// A tenant key is told nothing of other tenants' objects, not even that they exist.
const noEndpoint = {
  404: "No such endpoint (or `id` is not an `ep_` id, or, to a tenant key, another tenant's).",
};
const noDelivery = {
  404: "No such delivery (or `id` is not a `whd_` id, or, to a tenant key, another tenant's).",
};
const noTenant = {
  404: 'No such tenant: it has no endpoint and no key (or `tenant_id` is malformed).',
};
const badTenantPath = { 404: '`tenant_id` is not a tenant id.' };
/** The 403 of a route a tenant key may call: its `tenant_id`, where it names one, is its own. */
const otherTenant = { 403: "A tenant key naming another tenant's `tenant_id`." };
const deadLetterEndpoint = {
  404: "No such endpoint (`endpoint_id`; to a tenant key, another tenant's is none).",
};
const badQuery = {
  422: 'A query parameter breaks its rule, is unknown or repeated, or `cursor` is not a `next_cursor` this list handed out.',
};
/** What the manual resends cost a tenant key (README, "Tenant quotas"). */
const RESEND_BUDGET =
  "A tenant key's resends count against its tenant's `HOOKLINE_TENANT_RETRIES_PER_MINUTE` (each delivery sent again is one): it sends as many as the budget holds now, and the rest stay as they were, to send again later; with nothing left it is a 429.";
const publishErrors = {
  422: "The body breaks its schema (a `name` under `hookline.` is Hookline's own), an `endpoint_ids` entry does not exist or is not of the event's tenant (`validation_failed`), or the `Idempotency-Key` was used with another body (`idempotency_conflict`).",
};

/**
 * Every `/v1` route. The OpenAPI document is written from it, and the producer mounts each route
 * from it (its path, auth and input parsing) with the handler of its `operationId`.
 */
export const ROUTES = [
  {
    method: 'post',
    path: '/v1/endpoints',
    operationId: 'createEndpoint',
    tag: 'Endpoints',
    summary: 'Create an endpoint',
    description:
      "Answers the endpoint with its signing `secret`: keep it, it is shown here and on the secret route only. `tenant_id` (never changed later) makes it one tenant's: it gets that tenant's events only. A tenant key's endpoints are its tenant's, `tenant_id` or not.",
    body: EndpointCreate,
    responses: {
      201: {
        description: 'The endpoint, with its secret.',
        body: CreatedEndpoint,
        headers: { Location: { description: '`/v1/endpoints/<id>`', schema: z.string() } },
      },
      ...refused([...ALWAYS, ...BODY, 403], {
        ...otherTenant,
        422: 'A field breaks its rule; `url` must be `https://` with a host name unless the deployment allows insecure URLs.',
      }),
      409: {
        description:
          'The tenant has `HOOKLINE_TENANT_MAX_ENDPOINTS` endpoints already (`quota_exceeded`), whoever asks: delete one first. Waiting changes nothing, so this is no 429.',
        code: 'quota_exceeded',
      },
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/endpoints',
    operationId: 'listEndpoints',
    tag: 'Endpoints',
    summary: 'List endpoints',
    description:
      "Oldest first, a page at a time; every tenant's, or one tenant's (`tenant_id`; a tenant key's own, always).",
    // The same field, with the words the parameter needs in the document.
    query: EndpointListQuery.extend({
      tenant_id: EndpointListQuery.shape.tenant_id.describe("only this tenant's endpoints"),
    }),
    responses: {
      200: { description: 'A page of endpoints.', body: EndpointList },
      ...refused([...ALWAYS, 403, 422], { ...otherTenant, ...badQuery }),
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
    params: EndpointPath,
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
    params: EndpointPath,
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
    params: EndpointPath,
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
    params: EndpointPath,
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
    params: EndpointPath,
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
      "One delivery to this endpoint alone, whatever its `event_types`: signed like any other, without `Event-Id`. `GET /v1/events/{id}` shows it. A tenant key's test sends count against its tenant's `HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE`.",
    params: EndpointPath,
    body: TestSend,
    responses: {
      202: { description: 'The test event and its one delivery.', body: Published },
      ...refused([...ALWAYS, ...BODY, 404, 429], {
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
    description: `Re-enqueues every \`failed\` or \`dead\` delivery of this endpoint created since \`since\`, to go now with a fresh attempt budget (they leave the dead letter). ${RESEND_BUDGET}`,
    params: EndpointPath,
    body: Recover,
    responses: {
      202: { description: 'How many went back to pending.', body: Recovered },
      ...refused([...ALWAYS, ...BODY, 404, 429], noEndpoint),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/endpoints/{id}/blocked-lines',
    operationId: 'listBlockedLines',
    tag: 'Endpoints',
    summary: "An ordered endpoint's blocked lines",
    description:
      'The lines whose head delivery has failed and holds the line through its retries, longest blocked first (at most 100): by which delivery, and how many wait behind it. Empty for an endpoint without `ordering`.',
    params: EndpointPath,
    responses: {
      200: { description: 'The blocked lines.', body: BlockedLines },
      ...refused([...ALWAYS, 404], noEndpoint),
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
    params: EndpointPath,
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
      "Creates the event and one delivery per enabled endpoint of its tenant subscribed to `name` (or, with `endpoint_ids`, those of them): with `tenant_id`, that tenant's endpoints; without, the untenanted ones. `deliveries` is how many; 0 is a valid answer.",
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
      "Published events from the log, newest first, within the retention (`HOOKLINE_RETENTION`), as receivers get them with the tenant they were published for; every tenant's, or one tenant's (`tenant_id`; a tenant key's own, always), filtered by name (exact, or a prefix: `order.*`), creation time (`after`/`since`, `before`/`until`) and `resource.id`. Test sends are not listed. The log shows a new event within about a second.",
    query: EventListQuery.extend({
      tenant_id: EventListQuery.shape.tenant_id.describe('only events published for this tenant'),
    }),
    responses: {
      200: { description: 'A page of events.', body: EventList },
      ...refused([...ALWAYS, 403, 422], { ...otherTenant, ...badQuery }),
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
    params: EventPath,
    responses: {
      200: { description: 'The event with its deliveries.', body: EventWithDeliveries },
      ...refused([...ALWAYS, 404], {
        404: "No such event (or `id` is not an `evt_` id, or, to a tenant key, another tenant's).",
      }),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/deliveries',
    operationId: 'listDeliveries',
    tag: 'Deliveries',
    summary: 'Search deliveries',
    description:
      "Deliveries from the log, newest first, by tenant (a tenant key's own, always), endpoint, status, event name (exact, or a prefix: `order.*`), creation time (`since`, `until`), the event's `resource.id` and the last attempt's HTTP status; every filter optional, all of them ANDed. The log shows a change within about a second.",
    query: DeliverySearchQuery,
    responses: {
      200: { description: 'A page of deliveries.', body: DeliveryList },
      ...refused([...ALWAYS, 403, 422], { ...otherTenant, ...badQuery }),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/activity',
    operationId: 'getActivity',
    tag: 'Deliveries',
    summary: 'Deliveries per minute',
    description:
      "Delivered, failed and dead-lettered deliveries per minute over the last hour or day, from the log: everything, one tenant's (a tenant key's own, always) or one endpoint's. What the console's charts draw.",
    query: ActivityQuery,
    responses: {
      200: { description: 'One bucket per minute, oldest first.', body: Activity },
      ...refused([...ALWAYS, 403, 404, 422], {
        ...otherTenant,
        ...deadLetterEndpoint,
        ...badQuery,
      }),
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
    params: DeliveryPath,
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
      "Whatever its status (a delivered one is delivered once more, with the same `Webhook-Id`), with a fresh attempt budget; it leaves the dead letter. A tenant key's retries count against its tenant's `HOOKLINE_TENANT_RETRIES_PER_MINUTE`.",
    params: DeliveryPath,
    responses: {
      202: { description: 'The delivery, now `pending`.', body: Delivery },
      ...refused([...ALWAYS, 404, 429], {
        404: `${noDelivery[404]} Or its endpoint is gone.`,
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
    description:
      "Newest first; all of them, one endpoint's (`endpoint_id`), one tenant's (`tenant_id`; a tenant key's own, always), or those of an endpoint of a tenant (both).",
    query: DeadLetterQuery,
    responses: {
      200: { description: 'A page of dead deliveries.', body: DeliveryList },
      ...refused([...ALWAYS, 403, 404, 422], {
        ...otherTenant,
        ...deadLetterEndpoint,
        ...badQuery,
      }),
    },
    tenantKey: true,
  },
  {
    method: 'post',
    path: '/v1/dead-letter/replay',
    operationId: 'replayDeadLetter',
    tag: 'Dead letter',
    summary: 'Replay dead deliveries',
    description: `\`ids\` replays those; \`endpoint_id\` that endpoint's whole dead letter; \`tenant_id\` that tenant's; \`ids\` with either, those of the ids in that dead letter; \`since\`/\`until\` only those created in that time; none (or no body), everything. \`dry_run: true\` counts what would go and replays nothing. A tenant key replays within its own tenant only, oldest first. Only what is dead goes, so replaying twice is harmless. ${RESEND_BUDGET}`,
    body: DeadLetterReplay,
    responses: {
      202: { description: 'How many left the dead letter.', body: Replayed },
      ...refused([...ALWAYS, ...BODY, 403, 404, 429], { ...otherTenant, ...deadLetterEndpoint }),
    },
    tenantKey: true,
  },
  {
    method: 'get',
    path: '/v1/tenants',
    operationId: 'listTenants',
    tag: 'Tenants',
    summary: 'List tenants',
    description:
      'Every tenant that has an endpoint, by id, with its endpoint count. A tenant needs no creation: it exists while it has endpoints.',
    query: TenantListQuery,
    responses: {
      200: { description: 'A page of tenants.', body: TenantList },
      ...refused([...ALWAYS, 422], badQuery),
    },
    tenantKey: false,
  },
  {
    method: 'get',
    path: '/v1/tenants/{tenant_id}',
    operationId: 'getTenant',
    tag: 'Tenants',
    summary: 'Read a tenant',
    description:
      'Its endpoints, pending deliveries and dead letter, counted when asked (no metric carries a tenant). A tenant key may read its own tenant; another tenant is 404 to it.',
    params: TenantPath,
    responses: {
      200: { description: 'The tenant.', body: Tenant },
      ...refused([...ALWAYS, 404], {
        404: 'No such tenant: it has no endpoint, `tenant_id` is malformed, or (for a tenant key) it is another tenant.',
      }),
    },
    tenantKey: true,
  },
  {
    method: 'put',
    path: '/v1/tenants/{tenant_id}',
    operationId: 'updateTenant',
    tag: 'Tenants',
    summary: "Set a tenant's weight",
    description:
      "Its share of the front lane, where each tenant's first deliveries of every second go before other tenants' backlogs: `weight` times the default (1). Applies to events published from then on.",
    params: TenantPath,
    body: TenantSettings,
    responses: {
      200: { description: 'The tenant, with its weight.', body: Tenant },
      ...refused([...ALWAYS, ...BODY, 404], noTenant),
    },
    tenantKey: false,
  },
  {
    method: 'delete',
    path: '/v1/tenants/{tenant_id}',
    operationId: 'deleteTenant',
    tag: 'Tenants',
    summary: 'Delete a tenant',
    description:
      "The customer leaves: each of its endpoints is deleted as by `DELETE /v1/endpoints/{id}` (pending deliveries dropped, dead letter gone) and its keys are revoked. Nothing of another tenant's is touched.",
    params: TenantPath,
    responses: { 204: { description: 'Deleted.' }, ...refused([...ALWAYS, 404], noTenant) },
    tenantKey: false,
  },
  {
    method: 'post',
    path: '/v1/tenants/{tenant_id}/keys',
    operationId: 'createTenantKey',
    tag: 'Tenants',
    summary: 'Mint a tenant key',
    description:
      "A key (`hlt_…`) for this tenant's endpoints, deliveries, events and dead letter, and the link to the console signed in with it: hand either to the customer. It is shown once (stored hashed) and lives `expires_in` (24 h unless said, at most 30 d). The tenant need not have endpoints yet.",
    params: TenantPath,
    body: TenantKeyCreate,
    responses: {
      201: { description: 'The key, shown once.', body: TenantKey },
      ...refused([...ALWAYS, ...BODY, 404], {
        ...badTenantPath,
        422: 'The body breaks its schema, or `expires_in` is under 1 s or over 30 d.',
      }),
    },
    tenantKey: false,
  },
  {
    method: 'delete',
    path: '/v1/tenants/{tenant_id}/keys',
    operationId: 'revokeTenantKeys',
    tag: 'Tenants',
    summary: 'Revoke the tenant keys',
    description:
      'Every key of the tenant stops working at once; its endpoints stay. A tenant without keys is no error.',
    params: TenantPath,
    responses: { 204: { description: 'Revoked.' }, ...refused([...ALWAYS, 404], badTenantPath) },
    tenantKey: false,
  },
  {
    method: 'post',
    path: '/v1/operator-keys',
    operationId: 'createOperatorKey',
    tag: 'Operator keys',
    summary: 'Create an operator key',
    description:
      'A key (`hlo_…`) to every route, as a key of `HOOKLINE_API_KEYS` is, that works on every producer at once without a restart. It is shown once: Hookline keeps only a SHA-256 digest of its secret. It lives `expires_in` (at most 3650 d), or until revoked.',
    body: OperatorKeyCreate,
    responses: {
      201: { description: 'The key, shown once.', body: CreatedOperatorKey },
      ...refused([...ALWAYS, ...BODY], {
        422: 'The body breaks its schema, or `expires_in` is under 1 s or over 3650 d.',
      }),
    },
    tenantKey: false,
  },
  {
    method: 'get',
    path: '/v1/operator-keys',
    operationId: 'listOperatorKeys',
    tag: 'Operator keys',
    summary: 'List operator keys',
    description:
      'The keys made through the API, oldest first, without their secrets (Hookline has none to show), with when each was last used (to the minute). The keys of `HOOKLINE_API_KEYS` are not listed.',
    query: OperatorKeyListQuery,
    responses: {
      200: { description: 'A page of operator keys.', body: OperatorKeyList },
      ...refused([...ALWAYS, 422], badQuery),
    },
    tenantKey: false,
  },
  {
    method: 'delete',
    path: '/v1/operator-keys/{id}',
    operationId: 'revokeOperatorKey',
    tag: 'Operator keys',
    summary: 'Revoke an operator key',
    description:
      'The key, and the one it was rotated from if that is still in its grace period, stop working on every producer at once.',
    params: OperatorKeyPath,
    responses: { 204: { description: 'Revoked.' }, ...refused([...ALWAYS, 404], noOperatorKey) },
    tenantKey: false,
  },
  {
    method: 'post',
    path: '/v1/operator-keys/{id}/rotate',
    operationId: 'rotateOperatorKey',
    tag: 'Operator keys',
    summary: 'Rotate an operator key',
    description:
      "A new key for the same id, shown once; the old one keeps working for `grace` (default `HOOKLINE_SECRET_ROTATION_GRACE`; `0s`: not at all), and never past the key's expiry. Only the key just replaced has a grace period: rotating again ends that of the one before. Name and expiry stay.",
    params: OperatorKeyPath,
    body: OperatorKeyRotate,
    responses: {
      201: { description: 'The new key, shown once.', body: CreatedOperatorKey },
      ...refused([...ALWAYS, ...BODY, 404], {
        ...noOperatorKey,
        422: 'The body breaks its schema, or `grace` is over 30 d.',
      }),
    },
    tenantKey: false,
  },
  {
    method: 'post',
    path: '/v1/encryption-keys/reseal',
    operationId: 'resealSecrets',
    tag: 'Encryption keys',
    summary: 'Seal every secret under the first key',
    description:
      "Walks every endpoint and seals again, under the first key of this producer's `HOOKLINE_ENCRYPTION_KEYS`, each one that has a secret (signing secret or key, custom header value) sealed under another key or stored before sealing. Online: each endpoint is rewritten by compare-and-set, so a change made meanwhile is kept, and deliveries go on. Run it after putting a new key first (on every process), and before dropping the old one. Running it twice is harmless.",
    responses: {
      200: {
        description: 'How many endpoints were sealed again, and how many already were.',
        body: Resealed,
      },
      ...refused([...ALWAYS]),
    },
    tenantKey: false,
  },
] as const satisfies readonly Route[];

/** The name of each route's operation (`createEndpoint`): what a server's handlers are keyed by. */
export type OperationId = (typeof ROUTES)[number]['operationId'];

/** The route of an operation, with its own schemas' types. */
export type RouteOf<Op extends OperationId> = Extract<(typeof ROUTES)[number], { operationId: Op }>;

/** What a route's schema of `part` parses to; `undefined` where the route has no such schema. */
type Parsed<R, Part extends 'params' | 'query' | 'headers' | 'body'> = R extends {
  [P in Part]: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;

/** A request to an operation as its route's schemas parse it. */
export interface RouteInput<Op extends OperationId> {
  params: Parsed<RouteOf<Op>, 'params'>;
  query: Parsed<RouteOf<Op>, 'query'>;
  headers: Parsed<RouteOf<Op>, 'headers'>;
  body: Parsed<RouteOf<Op>, 'body'>;
}

// --- what Hookline sends: the document's `webhooks` -------------------------------------------

/** The tag of the webhooks: they are no route of the API, so no {@link RouteTag}. */
export const WEBHOOK_TAG = {
  name: 'Webhooks',
  description:
    'What Hookline sends to endpoints: each event, signed (Standard Webhooks), and its own operational events.',
} as const;

/** One kind of request Hookline makes to an endpoint's `url`, as the document's `webhooks` describe it. */
export interface Webhook {
  /** Its key in `webhooks`: the event name it carries, or `event` for every event. */
  name: string;
  operationId: string;
  summary: string;
  /** Markdown. */
  description: string;
  /** The JSON body Hookline posts. */
  body: z.ZodType;
}

/** The headers of every delivery (docs/api.md, "What a receiver gets"). */
export const DeliveryHeaders = z.object({
  'Webhook-Id': DeliveryId.describe(
    "the delivery's id, the same on every attempt of it: dedupe on it",
  ),
  'Webhook-Timestamp': z
    .string()
    .regex(/^[0-9]+$/)
    .describe('Unix seconds when this attempt was dispatched'),
  'Webhook-Signature': z
    .string()
    .describe(
      '`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded part of the secret after `whsec_`; during a rotation, one entry per valid secret, space-separated',
    ),
  'Webhook-Attempt': z.int().min(1).describe('1 on the first try, +1 on each retry'),
  'Event-Id': EventId.optional().describe("the event's id; absent on test deliveries"),
  'User-Agent': z.string().describe('`Hookline/<version>`'),
});

/** How Hookline takes a receiver's answer (docs/api.md, "What a receiver gets"). */
export const WEBHOOK_ANSWERS: Record<string, RouteResponse> = {
  '2XX': {
    description:
      'Delivered: any 2xx answered within the time limits (5 s to connect, 15 s for the response, 25 s in all). Only the first 64 KiB of an answer are read.',
  },
  '410': {
    description:
      'Gone: the endpoint is disabled at once, and its pending deliveries go to the dead letter (reported as `hookline.endpoint.disabled`).',
  },
  '429': {
    description:
      'A failed attempt, retried no sooner than `Retry-After` when it asks for longer than the schedule (up to 24 h).',
    headers: { 'Retry-After': { description: 'Seconds, or an HTTP date.', schema: z.string() } },
  },
  '503': {
    description:
      'A failed attempt, retried no sooner than `Retry-After` when it asks for longer than the schedule (up to 24 h).',
    headers: { 'Retry-After': { description: 'Seconds, or an HTTP date.', schema: z.string() } },
  },
  default: {
    description:
      'Any other status, a timeout, a refused or reset connection, or a redirect (not followed): a failed attempt, retried on the schedule (`HOOKLINE_RETRY_SCHEDULE`, ±20% jitter) until the attempts run out and the delivery is dead. An endpoint whose every attempt has failed for `HOOKLINE_DISABLE_AFTER` is disabled.',
  },
};

/** An operational event's body: the event, of that name, with its `data` (no `resource`). */
function operationalEvent<N extends OperationalEventName>(name: N) {
  return WebhookEvent.omit({ resource: true }).extend({
    name: z.literal(name),
    data: OPERATIONAL_EVENTS[name],
  });
}

export const DeliveryDeadEvent = operationalEvent('hookline.delivery.dead');
export type DeliveryDeadEvent = z.infer<typeof DeliveryDeadEvent>;

export const EndpointDisabledEvent = operationalEvent('hookline.endpoint.disabled');
export type EndpointDisabledEvent = z.infer<typeof EndpointDisabledEvent>;

const OPERATIONAL = `Hookline's own event, delivered like any other (signed, retried, dead-lettered) to the untenanted endpoints subscribed to it by name or by \`hookline.*\`; an endpoint subscribed to every event does not get it.`;

/** Keyed by name, so that an operational event without its webhook does not compile. */
const OPERATIONAL_WEBHOOKS: Record<OperationalEventName, Omit<Webhook, 'name'>> = {
  'hookline.delivery.dead': {
    operationId: 'receiveDeliveryDead',
    summary: 'A delivery reached the dead letter',
    description: `${OPERATIONAL} Sent when a delivery used every attempt, or its endpoint was deleted or disabled; a delivery of an operational event that dies reports nothing.`,
    body: DeliveryDeadEvent,
  },
  'hookline.endpoint.disabled': {
    operationId: 'receiveEndpointDisabled',
    summary: 'Hookline disabled an endpoint',
    description: `${OPERATIONAL} Sent when an endpoint answered \`410 Gone\`, or every attempt to it failed for \`HOOKLINE_DISABLE_AFTER\`; \`PATCH\` it with \`disabled: false\` to enable it again.`,
    body: EndpointDisabledEvent,
  },
};

export const WEBHOOKS: readonly Webhook[] = [
  {
    name: 'event',
    operationId: 'receiveEvent',
    summary: 'An event, delivered',
    description:
      "What Hookline posts to an endpoint's `url` for each event it is subscribed to, and for a test send (without `Event-Id`): the event as JSON, the same bytes on every attempt. The signature is [Standard Webhooks](https://www.standardwebhooks.com/): the `standardwebhooks` and `svix` libraries verify it unchanged. The endpoint's `legacy_signature_header`, when set, carries `sha256=<hex HMAC-SHA256 of the raw body>` with the same key, and its custom `headers` come too. Delivery is at least once, in any order: dedupe on `Webhook-Id`.",
    body: WebhookEvent,
  },
  ...Object.entries(OPERATIONAL_WEBHOOKS).map(([name, webhook]) => ({ name, ...webhook })),
];
