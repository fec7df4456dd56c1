import { EventName } from '@hookline/webhooks';
import { z } from 'zod';

// The filters the log's searches share (`GET /v1/events`, `GET /v1/deliveries`).

const Time = z.iso.datetime({ offset: true });

/** A name filter: an exact event name, or a dotted prefix ending in `*` (`order.*`). */
export const NameFilter = z
  .string()
  .max(255)
  .refine(
    (text) => EventName.safeParse(text.endsWith('.*') ? text.slice(0, -2) : text).success,
    'must be an event name, or a prefix ending in .* (order.*)',
  );

/** The filters every search by time and resource takes. */
export const SearchFilters = {
  since: Time.optional().describe('only what was created at or after this time (ISO 8601)'),
  until: Time.optional().describe('only what was created before this time (ISO 8601)'),
  resource_id: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('only what is about this `resource.id`'),
};
