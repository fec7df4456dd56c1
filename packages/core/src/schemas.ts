import { EventName, EventResource, JsonObject, Secret } from '@hookline/webhooks';
import { z } from 'zod';
import { isId } from './ids';
import { checkEndpointUrl, type UrlPolicyOptions } from './url-policy';

export const EndpointId = z.string().refine((s) => isId('ep', s), 'must be an endpoint id (ep_…)');
export const EventId = z.string().refine((s) => isId('evt', s), 'must be an event id (evt_…)');
export const DeliveryId = z.string().refine((s) => isId('whd', s), 'must be a delivery id (whd_…)');

/** `order.filled` exactly, `order.*` for every name under `order.`, or `*` for all. */
export const EventTypeFilter = z
  .string()
  .max(255)
  .regex(
    /^(\*|[A-Za-z0-9_:-][A-Za-z0-9._:-]*\.\*|[A-Za-z0-9._:-]+)$/,
    'must be an event name, a prefix ending in .* or *',
  );

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
export const HeaderName = z.string().regex(HEADER_NAME, 'must be a valid HTTP header name');

/** Headers Hookline sets itself; an endpoint's custom headers may not replace them. */
export const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'host',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'webhook-attempt',
  'event-id',
]);

const CustomHeaders = z
  .record(
    HeaderName,
    z
      .string()
      .max(4096)
      .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must not contain control characters'),
  )
  .refine((headers) => Object.keys(headers).length <= 32, 'at most 32 headers')
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} is set by Hookline and cannot be overridden`,
        });
      }
    }
  });

const LegacyHeader = HeaderName.refine(
  (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
  'must not be a header Hookline sets itself',
);

const Metadata = z
  .record(z.string().min(1).max(64), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 32, 'at most 32 entries');

/** Deliveries per second; bounded so that a typo cannot turn the limiter off by overflow. */
const RateLimit = z.number().int().min(1).max(100_000);

/** Endpoint request bodies; the URL rule depends on `HOOKLINE_ALLOW_INSECURE_URLS`. */
export function endpointInputSchemas(policy: UrlPolicyOptions) {
  const Url = z.string().superRefine((url, ctx) => {
    const problem = checkEndpointUrl(url, policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
  const fields = {
    url: Url,
    description: z.string().max(1024),
    event_types: z.array(EventTypeFilter).max(256),
    headers: CustomHeaders,
    rate_limit: RateLimit.nullable(),
    legacy_signature_header: LegacyHeader.nullable(),
    disabled: z.boolean(),
    metadata: Metadata,
  };
  const EndpointCreate = z.strictObject({
    url: fields.url,
    description: fields.description.default(''),
    event_types: fields.event_types.default([]),
    headers: fields.headers.default({}),
    rate_limit: fields.rate_limit.default(null),
    secret: Secret.optional(),
    legacy_signature_header: fields.legacy_signature_header.default(null),
    disabled: fields.disabled.default(false),
    metadata: fields.metadata.default({}),
  });
  const EndpointPatch = z.strictObject({
    url: fields.url.optional(),
    description: fields.description.optional(),
    event_types: fields.event_types.optional(),
    headers: fields.headers.optional(),
    rate_limit: fields.rate_limit.optional(),
    legacy_signature_header: fields.legacy_signature_header.optional(),
    disabled: fields.disabled.optional(),
    metadata: fields.metadata.optional(),
  });
  return { EndpointCreate, EndpointPatch };
}
export type EndpointCreate = z.output<ReturnType<typeof endpointInputSchemas>['EndpointCreate']>;
export type EndpointPatch = z.output<ReturnType<typeof endpointInputSchemas>['EndpointPatch']>;

/** A secret an endpoint signs with; `expires_at` (ms) is set on the old one by a rotation. */
export const EndpointSecret = z.object({ key: Secret, expires_at: z.number().nullable() });
export type EndpointSecret = z.infer<typeof EndpointSecret>;

/** An endpoint as the API shows it. */
export const Endpoint = z.object({
  id: EndpointId,
  url: z.string(),
  description: z.string(),
  event_types: z.array(z.string()),
  headers: z.record(z.string(), z.string()),
  rate_limit: z.number().nullable(),
  legacy_signature_header: z.string().nullable(),
  disabled: z.boolean(),
  metadata: z.record(z.string(), z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Endpoint = z.infer<typeof Endpoint>;

/** An endpoint as Redis holds it: the API's view plus its secrets, newest first. */
export const StoredEndpoint = Endpoint.extend({
  secrets: z.array(EndpointSecret).min(1),
  disabled_reason: z.string().nullable().default(null),
});
export type StoredEndpoint = z.infer<typeof StoredEndpoint>;

export const SecretRotate = z.strictObject({ key: Secret.optional() });
export type SecretRotate = z.infer<typeof SecretRotate>;

export const PublishEvent = z.strictObject({
  name: EventName,
  data: JsonObject,
  resource: EventResource.optional(),
  endpoint_ids: z.array(EndpointId).max(1000).optional(),
});
export type PublishEvent = z.infer<typeof PublishEvent>;

export const MAX_BATCH = 1000;
export const PublishBatch = z.strictObject({ events: z.array(PublishEvent).min(1).max(MAX_BATCH) });
export type PublishBatch = z.infer<typeof PublishBatch>;

export const TestSend = z.strictObject({ name: EventName, data: JsonObject.default({}) });
export type TestSend = z.infer<typeof TestSend>;

export const Recover = z.strictObject({ since: z.iso.datetime({ offset: true }) });
export type Recover = z.infer<typeof Recover>;

export const DeadLetterReplay = z.strictObject({
  endpoint_id: EndpointId.optional(),
  ids: z.array(DeliveryId).min(1).max(1000).optional(),
});
export type DeadLetterReplay = z.infer<typeof DeadLetterReplay>;

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed', 'dead']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const Page = z.strictObject({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z.string().max(64).optional(),
});
export type Page = z.infer<typeof Page>;

/** The error kinds an attempt can end in, besides an HTTP status. */
export const AttemptError = z.enum(['timeout', 'connection', 'dns', 'ssrf_blocked', 'tls']);
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

export const Delivery = z.object({
  id: DeliveryId,
  event_id: z.string().nullable(),
  endpoint_id: EndpointId,
  status: DeliveryStatus,
  attempts: z.array(Attempt),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
});
export type Delivery = z.infer<typeof Delivery>;
