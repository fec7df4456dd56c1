import { z } from 'zod';

/**
 * Ids are a prefix and 26 characters of Crockford base32 (10 of time, 16 of randomness, as ULID):
 * they sort by creation time as plain strings, which is what lets Hookline page lists by id.
 */
export type IdPrefix = 'ep' | 'evt' | 'whd' | 'opk';

const BODY = '[0-9A-HJKMNP-TV-Z]{26}';
const ID_PATTERN = new RegExp(`^(ep|evt|whd|opk)_${BODY}$`);

/** Whether `text` is an id of the prefix (route parameters are checked before any Redis call). */
export function isId(prefix: IdPrefix, text: string): boolean {
  const match = ID_PATTERN.exec(text);
  return match !== null && match[1] === prefix;
}

const idOf = (prefix: IdPrefix, noun: string) =>
  z.string().regex(new RegExp(`^${prefix}_${BODY}$`), `must be ${noun} id (${prefix}_…)`);

export const EndpointId = idOf('ep', 'an endpoint');
export type EndpointId = z.infer<typeof EndpointId>;
export const EventId = idOf('evt', 'an event');
export type EventId = z.infer<typeof EventId>;
export const DeliveryId = idOf('whd', 'a delivery');
export type DeliveryId = z.infer<typeof DeliveryId>;
export const OperatorKeyId = idOf('opk', 'an operator key');
export type OperatorKeyId = z.infer<typeof OperatorKeyId>;
