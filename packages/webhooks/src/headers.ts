/** The lower-case names of the headers Hookline sends with every delivery. */
export const WebhookHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  attempt: 'webhook-attempt',
  /** An ordered endpoint's: the delivery's place in its line, 1, 2, 3, … (README, "Ordered endpoints"). */
  sequence: 'webhook-sequence',
  eventId: 'event-id',
} as const;

/** Request headers as node (`req.headers`), plain objects or fetch's `Headers` carry them. */
export type HeaderSource = Record<string, string | string[] | undefined> | Headers;

/**
 * Reads one header case-insensitively; `name` must be lower case. Repeated values are
 * joined with a space, which is how several signatures are listed anyway.
 */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (isFetchHeaders(headers)) {
    return headers.get(name) ?? undefined;
  }
  const value = headers[name] ?? findCaseInsensitive(headers, name);
  return Array.isArray(value) ? value.join(' ') : value;
}

function isFetchHeaders(headers: HeaderSource): headers is Headers {
  // Duck-typed so other fetch implementations' Headers work too; a plain record's
  // values are strings, never functions.
  return typeof headers.get === 'function';
}

function findCaseInsensitive(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | string[] | undefined {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      return headers[key];
    }
  }
  return undefined;
}
