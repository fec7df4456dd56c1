import type { Endpoint, EndpointType } from './api/types';

/** The types, in the order the form offers them, with their names for people. */
export const ENDPOINT_TYPES: readonly { type: EndpointType; label: string }[] = [
  { type: 'http', label: 'HTTP' },
  { type: 'rabbitmq', label: 'RabbitMQ' },
  { type: 'nats', label: 'NATS JetStream' },
];

export const typeOf = (endpoint: Endpoint): EndpointType => endpoint.type ?? 'http';

export const typeLabel = (type: EndpointType): string =>
  ENDPOINT_TYPES.find((t) => t.type === type)?.label ?? type;

/** Where a broker endpoint publishes, in a few words; undefined for HTTP. */
export function publishesTo(endpoint: Endpoint): string | undefined {
  const type = typeOf(endpoint);
  switch (type) {
    case 'http':
      return undefined;
    case 'rabbitmq':
      return `exchange ${endpoint.exchange || '(default)'}, routing key ${endpoint.routing_key ?? ''}`;
    case 'nats':
      return `subject ${endpoint.subject ?? ''}`;
    default: {
      const never: never = type;
      return never;
    }
  }
}
