import { EventName } from '@hookline/webhooks';
import { z } from 'zod';
import { AttemptError } from './deliveries';
import { OrderingKey } from './endpoints';
import { DeliveryId, EndpointId } from './ids';
import { TenantId } from './tenants';

/**
 * Hookline's own events, about what an operator must act on. They are delivered like any other
 * (signed, retried, dead-lettered), but only to untenanted endpoints that subscribe to them by
 * name or by `hookline.*`: an endpoint subscribed to everything does not get them. Publishers
 * cannot publish names under this prefix, nor send a test of one.
 */
export const OPERATIONAL_PREFIX = 'hookline.';

/**
 * Whether `name` is under the reserved prefix, in any case: Hookline's own names are lower case,
 * but a receiver or a filter downstream that folds case must not take `HOOKLINE.delivery.dead`
 * from a publisher for Hookline's.
 */
export const isOperationalName = (name: string) =>
  name.slice(0, OPERATIONAL_PREFIX.length).toLowerCase() === OPERATIONAL_PREFIX;

/** An event name a caller may use: any but Hookline's own (see {@link isOperationalName}). */
export const CallerEventName = EventName.refine(
  (name) => !isOperationalName(name),
  `names under ${OPERATIONAL_PREFIX} (in any case) are Hookline's own operational events`,
);

/** The line a dead delivery of an ordered endpoint held (README, "Ordered endpoints"). */
export const DeadLine = z
  .object({
    key: OrderingKey,
    value: z
      .string()
      .describe("the line's key value ('' for `endpoint`, or for events without one)"),
    sequence: z.number().int().describe('its `webhook-sequence`'),
  })
  .describe('present for an ordered endpoint: the line it held, which went on without it');
export type DeadLine = z.infer<typeof DeadLine>;

/** `hookline.delivery.dead`: a delivery reached the dead letter. */
export const DeliveryDeadData = z.object({
  delivery_id: DeliveryId,
  event_id: z.string().nullable(),
  endpoint_id: EndpointId,
  tenant_id: TenantId.nullable(),
  /** Attempts made in all. */
  attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: AttemptError.nullable(),
  /** An ordered endpoint's delivery: the line it held, which moved on past it. */
  line: DeadLine.optional(),
});
export type DeliveryDeadData = z.infer<typeof DeliveryDeadData>;

/** `hookline.endpoint.disabled`: Hookline disabled an endpoint (410, or failing for too long). */
export const EndpointDisabledData = z.object({
  endpoint_id: EndpointId,
  tenant_id: TenantId.nullable(),
  reason: z.string(),
});
export type EndpointDisabledData = z.infer<typeof EndpointDisabledData>;

export const OPERATIONAL_EVENTS = {
  'hookline.delivery.dead': DeliveryDeadData,
  'hookline.endpoint.disabled': EndpointDisabledData,
} as const;
export type OperationalEventName = keyof typeof OPERATIONAL_EVENTS;
