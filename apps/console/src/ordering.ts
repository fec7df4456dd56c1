import type { Endpoint, OrderingKey } from './api/types';

/** The keys, in the order the form offers them, with what one line is for each. */
export const ORDERING_KEYS: readonly { key: OrderingKey; line: string }[] = [
  { key: 'endpoint', line: 'one line for all its deliveries' },
  { key: 'resource', line: "a line per event's resource.id" },
  { key: 'tenant', line: "a line per event's tenant" },
];

/** Its ordering key; null when unordered, which an older server's endpoint (no `ordering`) is. */
export const orderingOf = (endpoint: Endpoint): OrderingKey | null =>
  endpoint.ordering?.key ?? null;

/** What one line of `key` is, in a few words. */
export const lineOf = (key: OrderingKey): string =>
  ORDERING_KEYS.find((k) => k.key === key)?.line ?? key;
