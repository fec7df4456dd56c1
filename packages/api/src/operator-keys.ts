import { z } from 'zod';
import { OperatorKeyId } from './ids';
import { listOf, pageQuery } from './pagination';
import { KeyLifetime } from './tenants';

/**
 * How long an operator key's old secret keeps working after a rotation: a duration like `0s`,
 * `10m`, `24h`; at most 30 days. `0s` ends it at once.
 */
export const RotationGrace = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,9})(ms|s|m|h|d)$/, 'must be a duration like 0s, 10m or 24h');

/** A name to tell keys apart by (who or what holds it): 1–100 characters, no control characters. */
export const OperatorKeyName = z
  .string()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must hold no control characters');

/** `POST /v1/operator-keys`: without `expires_in`, the key lives until it is revoked. */
export const OperatorKeyCreate = z.strictObject({
  name: OperatorKeyName.optional().describe('who or what holds the key'),
  expires_in: KeyLifetime.optional().describe(
    'how long the key lives (at most 3650d); absent: until revoked',
  ),
});
export type OperatorKeyCreate = z.infer<typeof OperatorKeyCreate>;

/** `POST /v1/operator-keys/:id/rotate`: `grace` defaults to `HOOKLINE_SECRET_ROTATION_GRACE`. */
export const OperatorKeyRotate = z.strictObject({
  grace: RotationGrace.optional().describe(
    'how long the old key keeps working (at most 30d); default HOOKLINE_SECRET_ROTATION_GRACE',
  ),
});
export type OperatorKeyRotate = z.infer<typeof OperatorKeyRotate>;

/** An operator key as listed: never its secret, which Hookline keeps only as a SHA-256 digest. */
export const OperatorKey = z.object({
  id: OperatorKeyId,
  name: z.string().nullable(),
  created_at: z.string(),
  /** null: until revoked. */
  expires_at: z.string().nullable(),
  /** The last request made with it, to the minute; null if none yet. */
  last_used_at: z.string().nullable(),
  /** When it was last rotated; null if never. */
  rotated_at: z.string().nullable(),
  /** Until when the secret before the last rotation still works; null when it no longer does. */
  previous_key_expires_at: z.string().nullable(),
});
export type OperatorKey = z.infer<typeof OperatorKey>;

/** An operator key with the key itself (`hlo_…`), shown once: on creation and on rotation. */
export const CreatedOperatorKey = OperatorKey.extend({ key: z.string() });
export type CreatedOperatorKey = z.infer<typeof CreatedOperatorKey>;

export const OperatorKeyList = listOf(OperatorKey);
export type OperatorKeyList = z.infer<typeof OperatorKeyList>;

/** `GET /v1/operator-keys`: oldest first (ids sort by creation time). */
export const OperatorKeyListQuery = pageQuery(OperatorKeyId);
export type OperatorKeyListQuery = z.output<typeof OperatorKeyListQuery>;
