import { Endpoint, SignatureScheme } from '@hookline/api';
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
 * An endpoint as the store hands it out: the API's view plus its secrets, newest first, plain.
 * Redis holds it as a {@link SealedEndpoint}.
 */
export const StoredEndpoint = Endpoint.omit({ public_key: true }).extend({
  // Endpoints written before tenants existed have no tenant_id: they are untenanted.
  tenant_id: z.string().nullable().default(null),
  // Endpoints written before v1a existed sign with HMAC.
  signature: SignatureScheme.default('v1'),
  secrets: z.array(EndpointSecret).min(1),
  disabled_reason: z.string().nullable().default(null),
});
export type StoredEndpoint = z.infer<typeof StoredEndpoint>;

/**
 * An endpoint as Redis holds it: its secrets sealed (catalog/endpoint-secrets.ts), so the keys
 * are any text until opened, when they are checked as {@link EndpointSecret}s.
 */
export const SealedEndpoint = StoredEndpoint.extend({
  secrets: z.array(EndpointSecret.extend({ key: z.string() })).min(1),
});
export type SealedEndpoint = z.infer<typeof SealedEndpoint>;
