import { z } from 'zod';

/** An event's name, e.g. `order.filled`: 1–255 characters of `[A-Za-z0-9._:-]`. */
export const EventName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._:-]+$/, 'event names use only letters, digits and . _ : -');
export type EventName = z.infer<typeof EventName>;

/** A plain JSON object. Arrays, `null` and primitives are rejected. */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

/** What an event is about, e.g. `{ id: 'ord_xyz789', resource_type: 'order' }`. */
export const EventResource = z.object({
  id: z.string().min(1).max(255),
  resource_type: z.string().min(1).max(255),
});
export type EventResource = z.infer<typeof EventResource>;

/** The JSON body of every delivery a receiver gets. */
export const WebhookEvent = z.object({
  id: z.string().min(1),
  name: EventName,
  resource: EventResource.optional(),
  data: JsonObject,
  created_at: z.iso.datetime({ offset: true }),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;
