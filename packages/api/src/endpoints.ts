import { PublicKey, Secret, SigningKey, isSigningKey } from '@hookline/webhooks';
import { z } from 'zod';
import { DeliveryId, EndpointId } from './ids';
import { listOf, pageQuery } from './pagination';
import { TenantId } from './tenants';

/** `order.filled` exactly, `order.*` for every name under `order.`, or `*` for all. */
export const EventTypeFilter = z
  .string()
  .max(255)
  .regex(
    /^(\*|[A-Za-z0-9_:-][A-Za-z0-9._:-]*\.\*|[A-Za-z0-9._:-]+)$/,
    'must be an event name, a prefix ending in .* or *',
  );

/** An endpoint's subscriptions; none means every event. */
const EventTypes = z
  .array(EventTypeFilter)
  .max(256)
  .describe('the event names it gets (`order.filled`, `order.*`, `*`); empty: all of them');

export const HeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, 'must be a valid HTTP header name');

/** Headers Hookline sets itself; an endpoint's custom headers may not replace them. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
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
  'webhook-sequence',
  'event-id',
  'traceparent',
  'tracestate',
]);

export const CustomHeaders = z
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
  })
  .describe('sent with every delivery; they cannot replace the headers Hookline sets');

export const LegacySignatureHeader = HeaderName.refine(
  (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
  'must not be a header Hookline sets itself',
).describe('a header to send `sha256=<hex HMAC-SHA256 of the body>` in, GitHub style');

export const Metadata = z
  .record(z.string().min(1).max(64), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 32, 'at most 32 entries')
  .describe('yours to use: at most 32 entries');

/** Deliveries per second; bounded so that a typo cannot turn the limiter off by overflow. */
export const RateLimit = z
  .number()
  .int()
  .min(1)
  .max(100_000)
  .describe('deliveries per second to this endpoint');

/** What an ordered endpoint's deliveries are lined up by (README, "Ordered endpoints"). */
export const OrderingKey = z
  .enum(['endpoint', 'resource', 'tenant'])
  .describe(
    "one line for the endpoint, one per event `resource.id` (events without one share a line), or one per event's tenant",
  );
export type OrderingKey = z.infer<typeof OrderingKey>;

/**
 * An ordered endpoint: the deliveries of one line go one at a time, in the order their events
 * were accepted, each after the one before is delivered or dead.
 */
export const Ordering = z
  .strictObject({ key: OrderingKey })
  .describe('deliveries of one line go one at a time, in order; null: no ordering (the default)');
export type Ordering = z.infer<typeof Ordering>;

/**
 * An endpoint URL as the contract shapes it. Which URLs are allowed (`https://` only, no IP
 * literal, unless the deployment allows insecure URLs) is the server's policy: the producer
 * refines this schema with it.
 */
export const EndpointUrl = z
  .string()
  .min(1)
  .max(2048)
  .describe(
    'where deliveries go, written `scheme://host…` (no control characters, credentials, fragment or port 0): `https://` and a fully qualified host name (no IP literal, localhost or name of the server itself) unless the deployment allows insecure URLs',
  );

/**
 * How deliveries are signed (Standard Webhooks): `v1`, HMAC-SHA256 with a shared `whsec_` secret;
 * `v1a`, ed25519 with a `whsk_` key Hookline keeps, verified with its `whpk_` public key.
 */
export const SignatureScheme = z
  .enum(['v1', 'v1a'])
  .describe(
    'how deliveries are signed: `v1` HMAC-SHA256 with a shared `whsec_` secret, or `v1a` ed25519, which receivers verify with a `whpk_` public key (never changes)',
  );
export type SignatureScheme = z.infer<typeof SignatureScheme>;

/** A key to sign with, given by the caller: a `whsec_` secret (`v1`) or a `whsk_` key (`v1a`). */
export const SigningSecret = z
  .union([Secret, SigningKey])
  .describe('a `whsec_` secret for `v1`, or a `whsk_` ed25519 signing key for `v1a`');

/** The key a receiver verifies with: the `whsec_` secret (`v1`), or the `whpk_` public key (`v1a`). */
export const VerificationKey = z
  .union([Secret, PublicKey])
  .describe(
    'what receivers verify with: the `whsec_` secret (`v1`), or the `whpk_` public key (`v1a`)',
  );
export type VerificationKey = z.infer<typeof VerificationKey>;

/** Where a `secret` of the wrong scheme, or a legacy header on `v1a`, is refused. */
export function signatureProblems(input: {
  signature?: SignatureScheme | undefined;
  secret?: string | undefined;
  legacy_signature_header?: string | null | undefined;
}): { path: string; message: string }[] {
  const scheme = input.signature ?? 'v1';
  const problems: { path: string; message: string }[] = [];
  if (input.secret !== undefined && isSigningKey(input.secret) !== (scheme === 'v1a'))
    problems.push({
      path: 'secret',
      message:
        scheme === 'v1a'
          ? 'a v1a endpoint signs with a whsk_ ed25519 key'
          : 'a v1 endpoint signs with a whsec_ secret',
    });
  if (scheme === 'v1a' && input.legacy_signature_header)
    problems.push({
      path: 'legacy_signature_header',
      message: 'the sha256= header is an HMAC of a shared secret: v1 endpoints only',
    });
  return problems;
}

/** A PEM text: a certificate or a private key. Whether it parses is the server's check. */
const Pem = z.string().min(1).max(65_536);

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): Hookline fetches a token from `token_url`,
 * authenticating with HTTP Basic (`client_secret_basic`), and sends it as
 * `Authorization: Bearer`. `token_url` obeys the same policy as endpoint URLs.
 */
export const OAuth2ClientCredentials = z.strictObject({
  type: z.literal('oauth2_client_credentials'),
  token_url: EndpointUrl.describe(
    "the authorization server's token endpoint; the same rules as the endpoint's `url`",
  ),
  client_id: z.string().min(1).max(1024),
  client_secret: z.string().min(1).max(4096).describe('never shown again'),
  scope: z.string().min(1).max(1024).nullable().default(null).describe('sent as `scope`'),
  audience: z
    .string()
    .min(1)
    .max(1024)
    .nullable()
    .default(null)
    .describe('sent as `audience` (the API the token is for), where the server wants one'),
});

/** Mutual TLS: a client certificate and its private key, presented on the TLS handshake. */
export const ClientCertificate = z.strictObject({
  type: z.literal('client_certificate'),
  certificate: Pem.describe(
    'PEM: the client certificate, then any intermediate certificates the receiver needs',
  ),
  key: Pem.describe('PEM: the private key of the certificate, unencrypted; never shown again'),
});

/**
 * How Hookline authenticates itself to the receiver besides the signature: one of OAuth 2.0
 * client credentials or a client certificate.
 */
export const EndpointAuth = z
  .discriminatedUnion('type', [OAuth2ClientCredentials, ClientCertificate])
  .describe(
    'how Hookline authenticates to the receiver besides signing: OAuth 2.0 client credentials or a client certificate (mutual TLS); its secrets are never shown again',
  );
export type EndpointAuth = z.output<typeof EndpointAuth>;

/** An endpoint's authentication as the API shows it: no client secret, no private key. */
export const EndpointAuthView = z.discriminatedUnion('type', [
  OAuth2ClientCredentials.omit({ client_secret: true }).extend({
    scope: z.string().nullable(),
    audience: z.string().nullable(),
  }),
  z.object({
    type: z.literal('client_certificate'),
    certificate_fingerprint: z
      .string()
      .describe(
        'the SHA-256 fingerprint of the client certificate, as `openssl x509 -fingerprint -sha256` prints it',
      ),
    not_after: z.string().describe('when the client certificate expires'),
  }),
]);
export type EndpointAuthView = z.infer<typeof EndpointAuthView>;

/** Why an endpoint's custom headers and its authentication cannot go together, or `undefined`. */
export function authConflict(
  auth: { type: string } | null | undefined,
  headers: Record<string, string> | undefined,
): string | undefined {
  if (auth?.type !== 'oauth2_client_credentials' || !headers) return undefined;
  return Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')
    ? 'an endpoint with OAuth 2.0 sends its own Authorization header: remove the custom one, or the auth'
    : undefined;
}

/**
 * Where an endpoint's deliveries go, and so which configuration it has: `http`, a webhook POSTed
 * to its `url`; `rabbitmq`, a message published to an exchange; `nats`, a message published to a
 * JetStream subject. An endpoint created, or stored, without one is `http`.
 */
export const EndpointType = z
  .enum(['http', 'rabbitmq', 'nats'])
  .describe(
    'where deliveries go: `http`, a signed POST to `url` (the default); `rabbitmq`, a message published to `exchange` with `routing_key`; `nats`, a message published to the JetStream `subject`. Never changes once created',
  );
export type EndpointType = z.infer<typeof EndpointType>;

/** A broker's address: the server checks it against the deployment's address policy. */
const BrokerUrl = z.string().min(1).max(2048);

/** `{event}` in a routing key or subject stands for the event's name. */
export const EVENT_NAME_PLACEHOLDER = '{event}';

/** A RabbitMQ routing key: fixed, or with `{event}` where the event's name goes (AMQP: ≤ 255 bytes). */
export const RoutingKey = z
  .string()
  .max(255)
  .describe("the message's routing key; `{event}` stands for the event's name (the default)");

/**
 * A NATS subject to publish to: dot-separated tokens without spaces or wildcards, with `{event}`
 * where the event's name goes.
 */
export const NatsSubject = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (subject) =>
      subject
        .split(EVENT_NAME_PLACEHOLDER)
        .join('event')
        .split('.')
        .every((token) => /^[^\s*>.]+$/.test(token)),
    'must be dot-separated tokens without spaces, * or >; {event} stands for the event name',
  )
  .describe(
    "the JetStream subject published to (a stream must take it); `{event}` stands for the event's name",
  );

/** What every webhook-style message carries beside Hookline's own headers, whatever carries it. */
const MessageHeaders = {
  headers: CustomHeaders.default({}),
  legacy_signature_header: LegacySignatureHeader.nullable().default(null),
};

/** An `http` endpoint's configuration: where to POST, what to send with it, how to authenticate. */
export const HttpDestination = z.strictObject({
  url: EndpointUrl,
  ...MessageHeaders,
  auth: EndpointAuth.nullable().default(null),
});

/**
 * A `rabbitmq` endpoint's configuration (AMQP 0-9-1): the broker, and where on it each message is
 * published (persistent, `mandatory`, with publisher confirms). The URL's password is a secret:
 * kept sealed, never shown again.
 */
export const RabbitMqDestination = z.strictObject({
  url: BrokerUrl.describe(
    'the broker: `amqps://user:password@host:port/vhost` (`amqp://` too where insecure URLs are allowed); the password is never shown again',
  ),
  exchange: z
    .string()
    .max(255)
    .default('')
    .describe("the exchange published to; empty (the default): the broker's default exchange"),
  routing_key: RoutingKey.default(EVENT_NAME_PLACEHOLDER),
  ...MessageHeaders,
});

/**
 * A `nats` endpoint's configuration: the servers, and the JetStream subject each message is
 * published to. Credentials in the URL (`user:password@` or `token@`) are secrets: kept sealed,
 * never shown again.
 */
export const NatsDestination = z.strictObject({
  url: BrokerUrl.describe(
    'the servers, comma-separated: `tls://user:password@host:4222` or `tls://token@host:4222` (`nats://` too where insecure URLs are allowed); credentials are never shown again',
  ),
  subject: NatsSubject,
  ...MessageHeaders,
});

/** What every endpoint has, whatever its type. */
const EndpointCommon = z.object({
  /** The tenant whose events it receives; null for untenanted events. Never changes. */
  tenant_id: TenantId.nullable().default(null),
  description: z.string().max(1024).default(''),
  event_types: EventTypes.default([]),
  rate_limit: RateLimit.nullable().default(null),
  ordering: Ordering.nullable().default(null),
  signature: SignatureScheme.default('v1'),
  secret: SigningSecret.optional(),
  disabled: z.boolean().default(false),
  metadata: Metadata.default({}),
});

/**
 * `POST /v1/endpoints`: fields with a default may be left out. Each type's configuration is
 * validated by its own schema, its fields beside the common ones.
 */
export const EndpointCreate = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http').default('http').describe(EndpointType.description!),
    ...HttpDestination.shape,
    ...EndpointCommon.shape,
  }),
  z.strictObject({
    type: z.literal('rabbitmq'),
    ...RabbitMqDestination.shape,
    ...EndpointCommon.shape,
  }),
  z.strictObject({ type: z.literal('nats'), ...NatsDestination.shape, ...EndpointCommon.shape }),
]);
export type EndpointCreate = z.output<typeof EndpointCreate>;

/** The fields of `PATCH /v1/endpoints/:id` that belong to one type's configuration only. */
export const TYPE_FIELDS: Readonly<Record<string, EndpointType>> = {
  auth: 'http',
  exchange: 'rabbitmq',
  routing_key: 'rabbitmq',
  subject: 'nats',
};

/** `PATCH /v1/endpoints/:id`: any subset of the endpoint's writable fields. */
export const EndpointPatch = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .describe(
      "the endpoint's `url`, under its type's rules; a broker URL replaces the credentials too",
    ),
  description: z.string().max(1024).optional(),
  event_types: EventTypes.optional(),
  headers: CustomHeaders.optional(),
  rate_limit: RateLimit.nullable().optional(),
  ordering: Ordering.nullable()
    .optional()
    .describe('sets or removes the ordering of deliveries published from now on'),
  legacy_signature_header: LegacySignatureHeader.nullable().optional(),
  disabled: z.boolean().optional(),
  metadata: Metadata.optional(),
  auth: EndpointAuth.nullable()
    .optional()
    .describe('`http` only: replaces the authentication; null removes it'),
  exchange: z.string().max(255).optional().describe('`rabbitmq` only'),
  routing_key: RoutingKey.optional().describe('`rabbitmq` only'),
  subject: NatsSubject.optional().describe('`nats` only'),
});
export type EndpointPatch = z.output<typeof EndpointPatch>;

/** An endpoint as the API shows it. */
export const Endpoint = z.object({
  id: EndpointId,
  type: EndpointType,
  tenant_id: TenantId.nullable(),
  url: z
    .string()
    .describe("where deliveries go: the URL, or the broker's address without its credentials"),
  description: z.string(),
  event_types: z.array(z.string()),
  headers: z.record(z.string(), z.string()),
  rate_limit: z.number().nullable(),
  ordering: Ordering.nullable(),
  signature: SignatureScheme,
  /** `v1a`: the current key's public key, which receivers verify with; null for `v1`. */
  public_key: PublicKey.nullable().describe(
    '`v1a`: the public key receivers verify with (shown to anyone); null for `v1`',
  ),
  legacy_signature_header: z.string().nullable(),
  disabled: z.boolean(),
  metadata: z.record(z.string(), z.string()),
  auth: EndpointAuthView.nullable(),
  exchange: z.string().nullable().describe('`rabbitmq`: the exchange; null for other types'),
  routing_key: z.string().nullable().describe('`rabbitmq`: the routing key; null for other types'),
  subject: z.string().nullable().describe('`nats`: the subject; null for other types'),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Endpoint = z.infer<typeof Endpoint>;

/** The answer to an endpoint's creation: the only one, with the secret routes', that holds its secret. */
export const CreatedEndpoint = Endpoint.extend({ secret: VerificationKey });
export type CreatedEndpoint = z.infer<typeof CreatedEndpoint>;

/** A line of an ordered endpoint held up by its head delivery, which has failed and is being retried. */
export const BlockedLine = z.object({
  key: OrderingKey,
  value: z
    .string()
    .describe(
      "the line's key value: the event's `resource.id` or tenant id ('' for events without one; '' for `endpoint`)",
    ),
  head_delivery_id: DeliveryId.describe('the delivery at the head, which every other waits behind'),
  waiting: z.number().int().describe('deliveries waiting behind the head'),
  blocked_since: z.string().describe("when the head's first attempt failed"),
});
export type BlockedLine = z.infer<typeof BlockedLine>;

/** `GET /v1/endpoints/:id/blocked-lines` */
export const BlockedLines = z.object({ data: z.array(BlockedLine) });
export type BlockedLines = z.infer<typeof BlockedLines>;

export const EndpointList = listOf(Endpoint);
export type EndpointList = z.infer<typeof EndpointList>;

/** `GET /v1/endpoints` */
export const EndpointListQuery = pageQuery(EndpointId).extend({
  tenant_id: TenantId.optional(),
});
export type EndpointListQuery = z.output<typeof EndpointListQuery>;

/** `POST /v1/endpoints/:id/secret/rotate`: a secret (or key) is generated when `key` is absent. */
export const SecretRotate = z.strictObject({ key: SigningSecret.optional() });
export type SecretRotate = z.infer<typeof SecretRotate>;

/**
 * What receivers verify with: the secret read and the rotation's answer (`v1a`: the public key;
 * its signing key never leaves Hookline).
 */
export const SecretKey = z.object({ key: VerificationKey });
export type SecretKey = z.infer<typeof SecretKey>;
