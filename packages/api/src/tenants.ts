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
  weight: z.number().int().describe('its share of the front lane (`PUT` sets it; 1 by default)'),
});
export type Tenant = z.infer<typeof Tenant>;

/**
 * A tenant's share of the front lane (README, "Tenant fairness"): how many times the default
 * number of its deliveries per second go before other tenants' backlogs.
 */
export const TenantWeight = z
  .number()
  .int()
  .min(1)
  .max(100)
  .describe(
    "how many times the default share of the front lane the tenant's deliveries get (1-100; 1 by default)",
  );

/** `PUT /v1/tenants/:tenant_id`: the tenant's settings. */
export const TenantSettings = z.strictObject({ weight: TenantWeight });
export type TenantSettings = z.infer<typeof TenantSettings>;

/** One entry of `GET /v1/tenants`: a tenant that has at least one endpoint. */
export const TenantSummary = z.object({ id: TenantId, endpoints: z.number().int() });
export type TenantSummary = z.infer<typeof TenantSummary>;

export const TenantList = listOf(TenantSummary);
export type TenantList = z.infer<typeof TenantList>;

const CURSOR_PREFIX = 'tc_';

/**
 * `GET /v1/tenants`' cursor: the last tenant id of a page, as hex behind `tc_`. A tenant id is any
 * short name, so a bare one would make every string a client made up a cursor, read as "after
 * this name"; this form is one only a page hands out. (Hex, not base64: it runs in the console
 * too, where there is no Buffer; a tenant id is ASCII.)
 */
export function tenantCursor(tenantId: string): string {
  let hex = '';
  for (let i = 0; i < tenantId.length; i++)
    hex += tenantId.charCodeAt(i).toString(16).padStart(2, '0');
  return CURSOR_PREFIX + hex;
}

/** The tenant id a {@link tenantCursor} names, or `undefined` for any other string. */
export function tenantOfCursor(cursor: string): string | undefined {
  const hex = /^tc_((?:[0-9a-f]{2})+)$/.exec(cursor)?.[1];
  if (hex === undefined) return undefined;
  let id = '';
  for (let i = 0; i < hex.length; i += 2)
    id += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return TenantId.safeParse(id).success ? id : undefined;
}

const TenantCursor = z.string().refine((cursor) => tenantOfCursor(cursor) !== undefined);

/** `GET /v1/tenants`: ordered by id. */
export const TenantListQuery = pageQuery(TenantCursor);
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
