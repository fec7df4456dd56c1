import { z } from 'zod';
import { listOf, pageQuery } from './pagination';

/**
 * A tenant is the publisher's customer: the one whose endpoints receive its events. Its id is the
 * publisher's own name for the customer. No `/`: key names end a tenant id with one.
 */
export const TenantId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
    'must be 1-64 characters of letters, digits and _ . : -, starting with a letter or digit',
  );
export type TenantId = z.infer<typeof TenantId>;

/** `GET /v1/tenants/:tenant_id`: the tenant's size, counted when asked. */
export const Tenant = z.object({
  id: TenantId,
  /** Endpoints of the tenant. */
  endpoints: z.number().int(),
  /** Deliveries to its endpoints that are queued or waiting for a retry. */
  pending: z.number().int(),
  /** Its dead-lettered deliveries. */
  dead_letter: z.number().int(),
});
export type Tenant = z.infer<typeof Tenant>;

/** One entry of `GET /v1/tenants`: a tenant that has at least one endpoint. */
export const TenantSummary = z.object({ id: TenantId, endpoints: z.number().int() });
export type TenantSummary = z.infer<typeof TenantSummary>;

export const TenantList = listOf(TenantSummary);
export type TenantList = z.infer<typeof TenantList>;

/** `GET /v1/tenants`: ordered by id. */
export const TenantListQuery = pageQuery(TenantId);
export type TenantListQuery = z.output<typeof TenantListQuery>;

/** How long a tenant key lives: a duration like `30m`, `24h`, `7d`; at most 30 days. */
export const KeyLifetime = z
  .string()
  .regex(/^[1-9][0-9]{0,9}(ms|s|m|h|d)$/, 'must be a duration like 30m, 24h or 7d');

/** `POST /v1/tenants/:tenant_id/keys` */
export const TenantKeyCreate = z.strictObject({ expires_in: KeyLifetime.default('24h') });
export type TenantKeyCreate = z.infer<typeof TenantKeyCreate>;

/**
 * A tenant key, shown once: it is stored hashed. `portal_url` opens the console signed in with
 * it (the key is in the URL fragment, which browsers never send to a server).
 */
export const TenantKey = z.object({
  key: z.string(),
  tenant_id: TenantId,
  expires_at: z.string(),
  portal_url: z.string(),
});
export type TenantKey = z.infer<typeof TenantKey>;
