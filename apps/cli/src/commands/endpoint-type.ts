import type { Endpoint, EndpointType } from '@hookline/client';
import { UsageError } from '../errors';

export const ENDPOINT_TYPES: readonly EndpointType[] = ['http', 'rabbitmq', 'nats'];

/**
 * The type a URL's scheme says: `amqp://`/`amqps://` RabbitMQ, `nats://`/`tls://` NATS (a
 * comma-separated list's first server), anything else HTTP, whose rules the API then applies.
 */
export function typeOfUrl(url: string): EndpointType {
  const scheme = /^\s*([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'amqp' || scheme === 'amqps') return 'rabbitmq';
  if (scheme === 'nats' || scheme === 'tls') return 'nats';
  return 'http';
}

/** The options that configure one type of endpoint only. */
export interface TypeOptions {
  exchange?: string;
  routingKey?: string;
  subject?: string;
}

const OWNED: readonly (readonly [keyof TypeOptions, string, EndpointType])[] = [
  ['exchange', '--exchange', 'rabbitmq'],
  ['routingKey', '--routing-key', 'rabbitmq'],
  ['subject', '--subject', 'nats'],
];

/** The types the given options belong to, none for none: more than one cannot be satisfied. */
export function typesOfOptions(options: TypeOptions): Set<EndpointType> {
  return new Set(OWNED.filter(([key]) => options[key] !== undefined).map(([, , type]) => type));
}

/**
 * Refuses, before anything is sent, an option that `type` has no use for: `other` names the
 * options of another type (HTTP's authentication) the command was given.
 */
export function checkTypeOptions(
  type: EndpointType,
  options: TypeOptions,
  other: readonly (readonly [string, EndpointType])[] = [],
): void {
  const given = [
    ...OWNED.filter(([key]) => options[key] !== undefined).map(([, flag, owner]) => [flag, owner]),
    ...other,
  ] as const;
  for (const [flag, owner] of given)
    if (owner !== type)
      throw new UsageError(`${flag} is for ${owner} endpoints only, and this one is ${type}`);
}

/** `exchange`, `routing_key` and `subject` as the API takes them, the given ones only. */
export function typeFields(options: TypeOptions) {
  return {
    ...(options.exchange !== undefined ? { exchange: options.exchange } : {}),
    ...(options.routingKey !== undefined ? { routing_key: options.routingKey } : {}),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
  };
}

/** Where a broker endpoint publishes, in a few words; `-` for an HTTP endpoint. */
export function destination(endpoint: Endpoint): string {
  switch (endpoint.type) {
    case 'http':
      return '-';
    case 'rabbitmq':
      return `exchange ${endpoint.exchange || '(default)'}, routing key ${endpoint.routing_key ?? ''}`;
    case 'nats':
      return `subject ${endpoint.subject ?? ''}`;
    default: {
      const never: never = endpoint.type;
      return never;
    }
  }
}
