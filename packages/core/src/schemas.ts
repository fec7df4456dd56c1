import {
  ClientCertificate,
  Endpoint,
  EndpointType,
  OAuth2ClientCredentials,
  Ordering,
  SignatureScheme,
} from '@hookline/api';
import { Secret, SigningKey } from '@hookline/webhooks';
import { z } from 'zod';

// The API's request and response schemas are the contract, in @hookline/api. What is here is how
// Redis holds things the API shows differently.

/**
 * A secret an endpoint signs with (a `whsec_` secret, or a `whsk_` key for `v1a`); `expires_at`
 * (ms) is set on the old one by a rotation.
 */
export const EndpointSecret = z.object({
  key: z.union([Secret, SigningKey]),
  expires_at: z.number().nullable(),
});
export type EndpointSecret = z.infer<typeof EndpointSecret>;

/**
/**
 * An endpoint's authentication as the store hands it out: the API's input, secrets included
 * (`client_secret`, `key`), plus `revision`, new at every change of it, which names the cached
 * OAuth 2.0 token and the TLS agent made from this version (a change leaves the old ones unused).
 */
export const StoredEndpointAuth = z.discriminatedUnion('type', [
  OAuth2ClientCredentials.extend({ revision: z.string() }),
  ClientCertificate.extend({ revision: z.string() }),
]);
export type StoredEndpointAuth = z.infer<typeof StoredEndpointAuth>;

/**
 * An endpoint as the store hands it out: the API's view plus its secrets, newest first, plain.
 * Redis holds it as a {@link SealedEndpoint}.
 */
export const StoredEndpoint = Endpoint.omit({ public_key: true, auth: true }).extend({
  // Endpoints written before destination types existed are webhooks over HTTP.
  type: EndpointType.default('http'),
  // Endpoints written before tenants existed have no tenant_id: they are untenanted.
  tenant_id: z.string().nullable().default(null),
  // Endpoints written before v1a existed sign with HMAC.
  signature: SignatureScheme.default('v1'),
  secrets: z.array(EndpointSecret).min(1),
  disabled_reason: z.string().nullable().default(null),
  auth: StoredEndpointAuth.nullable().default(null),
  // Endpoints written before ordering existed are not ordered.
  ordering: Ordering.nullable().default(null),
  // Endpoints written before brokers existed are `http`: none of these.
  exchange: z.string().nullable().default(null),
  routing_key: z.string().nullable().default(null),
  subject: z.string().nullable().default(null),
  /** A broker endpoint's URL as given, credentials included (sealed at rest); `url` has none. */
  broker_url: z.string().nullable().default(null),
});
export type StoredEndpoint = z.infer<typeof StoredEndpoint>;

/**
 * An endpoint as Redis holds it: its secrets sealed (catalog/endpoint-secrets.ts), so the keys
 * are any text until opened, when they are checked as {@link EndpointSecret}s.
 */
export const SealedEndpoint = StoredEndpoint.extend({
  secrets: z.array(EndpointSecret.extend({ key: z.string() })).min(1),
  auth: z
    .discriminatedUnion('type', [
      StoredEndpointAuth.options[0].extend({ client_secret: z.string() }),
      StoredEndpointAuth.options[1].extend({ key: z.string() }),
    ])
    .nullable()
    .default(null),
});
export type SealedEndpoint = z.infer<typeof SealedEndpoint>;
