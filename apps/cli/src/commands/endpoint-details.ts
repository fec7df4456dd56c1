import type { Endpoint } from '@hookline/client';
import { table } from '../io';
import { destination } from './endpoint-type';

/** The event names an endpoint gets, in one cell: `*` for all. */
export const events = (endpoint: Endpoint) =>
  endpoint.event_types.length === 0 ? '*' : endpoint.event_types.join(',');

/** Whether its deliveries go in order, and what one line is. */
function ordering(endpoint: Endpoint): string {
  // An older server's endpoint has no `ordering`: it is not ordered either.
  if (!endpoint.ordering) return 'none';
  switch (endpoint.ordering.key) {
    case 'endpoint':
      return 'endpoint (one line for all its deliveries)';
    case 'resource':
      return "resource (a line per event's resource.id)";
    case 'tenant':
      return "tenant (a line per event's tenant)";
    default: {
      const never: never = endpoint.ordering.key;
      return never;
    }
  }
}

/** How an HTTP endpoint authenticates besides its signature, without its secrets. */
function auth(endpoint: Endpoint): string {
  const { auth } = endpoint;
  if (auth === null) return 'none';
  if (auth.type === 'client_certificate')
    return `client certificate ${auth.certificate_fingerprint}, expires ${auth.not_after}`;
  return `OAuth 2.0, client ${auth.client_id} at ${auth.token_url}`;
}

/** Its configuration: the type's own fields beside the URL, as the API shows them. */
function configuration(endpoint: Endpoint): [string, string][] {
  switch (endpoint.type) {
    case 'http':
      return [['Authentication', auth(endpoint)]];
    case 'rabbitmq':
      return [
        ['Exchange', endpoint.exchange || '(default)'],
        ['Routing key', endpoint.routing_key ?? ''],
      ];
    case 'nats':
      return [['Subject', endpoint.subject ?? '']];
    default: {
      const never: never = endpoint.type;
      return never;
    }
  }
}

/**
 * One endpoint as `endpoints show` prints it: a row a setting. The URL is the API's, which has
 * no broker credentials in it.
 */
export function endpointDetails(endpoint: Endpoint): string {
  const headers = Object.entries(endpoint.headers);
  const rows: [string, string][] = [
    ['Type', endpoint.type],
    ['URL', endpoint.url],
    ...configuration(endpoint),
    ['Tenant', endpoint.tenant_id ?? '-'],
    ['Description', endpoint.description || '-'],
    ['Events', events(endpoint)],
    ['State', endpoint.disabled ? 'disabled' : 'enabled'],
    ['Signature', endpoint.public_key ? `v1a, public key ${endpoint.public_key}` : 'v1'],
    ['Rate limit', endpoint.rate_limit === null ? 'none' : `${endpoint.rate_limit}/s`],
    ['Ordering', ordering(endpoint)],
    ['Headers', headers.length ? headers.map(([k, v]) => `${k}: ${v}`).join('; ') : 'none'],
    ['Legacy signature header', endpoint.legacy_signature_header ?? 'none'],
    ['Created', endpoint.created_at],
    ['Updated', endpoint.updated_at],
  ];
  return table(['Endpoint', endpoint.id], rows);
}

/** `rabbitmq exchange x, routing key y; ` before the rest of a one-line summary; nothing for HTTP. */
export const brokerSummary = (endpoint: Endpoint) =>
  endpoint.type === 'http' ? '' : `${endpoint.type} ${destination(endpoint)}; `;
