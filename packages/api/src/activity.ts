import { z } from 'zod';
import { EndpointId } from './ids';
import { TenantId } from './tenants';

/** The windows the activity chart covers, each in one-minute buckets. */
export const ActivityWindow = z.enum(['1h', '24h']);
export type ActivityWindow = z.infer<typeof ActivityWindow>;

/** `GET /v1/activity` */
export const ActivityQuery = z.strictObject({
  window: ActivityWindow.default('1h').describe('the last hour (`1h`, default) or day (`24h`)'),
  tenant_id: TenantId.optional().describe("only this tenant's deliveries"),
  endpoint_id: EndpointId.optional().describe("only this endpoint's deliveries"),
});
export type ActivityQuery = z.output<typeof ActivityQuery>;

/** One minute of deliveries. */
export const ActivityBucket = z.object({
  /** The minute's start (ISO 8601). */
  at: z.string(),
  /** Deliveries that were delivered in the minute. */
  delivered: z.number().int(),
  /** Attempts that failed in the minute and left a retry to come. */
  failed: z.number().int(),
  /** Deliveries that went to the dead letter in the minute. */
  dead: z.number().int(),
});
export type ActivityBucket = z.infer<typeof ActivityBucket>;

/** The answer: one bucket per minute of the window, oldest first, empty minutes included. */
export const Activity = z.object({
  window: ActivityWindow,
  bucket_seconds: z.number().int(),
  data: z.array(ActivityBucket),
});
export type Activity = z.infer<typeof Activity>;
