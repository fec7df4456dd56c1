import type { DeliverySearchQuery, EventListQuery } from '@hookline/api';
import type { DeliverySearch, EventSearch } from '@hookline/core';

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/** The latest of the lower bounds given (`after` and `since` say the same). */
function latest(...bounds: (number | undefined)[]): number | undefined {
  const given = bounds.filter((b): b is number => b !== undefined);
  return given.length === 0 ? undefined : Math.max(...given);
}

/** The earliest of the upper bounds given (`before` and `until` say the same). */
function earliest(...bounds: (number | undefined)[]): number | undefined {
  const given = bounds.filter((b): b is number => b !== undefined);
  return given.length === 0 ? undefined : Math.min(...given);
}

/** `GET /v1/events`'s query as the log searches it. */
export function eventSearch(query: EventListQuery): EventSearch {
  return {
    limit: query.limit,
    cursor: query.cursor,
    tenant_id: query.tenant_id,
    name: query.name,
    resource_id: query.resource_id,
    since: latest(ms(query.after), ms(query.since)),
    until: earliest(ms(query.before), ms(query.until)),
  };
}

/** `GET /v1/deliveries`'s query as the log searches it. */
export function deliverySearch(query: DeliverySearchQuery): DeliverySearch {
  return {
    limit: query.limit,
    cursor: query.cursor,
    tenant_id: query.tenant_id,
    endpoint_id: query.endpoint_id,
    status: query.status,
    name: query.name,
    resource_id: query.resource_id,
    http_status: query.http_status,
    since: ms(query.since),
    until: ms(query.until),
  };
}
