import { EVENT_NAME_PLACEHOLDER } from '@hookline/api';
import type { StoredEndpoint } from '@hookline/core';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { SpanShape } from '../destination';

/** An endpoint's span shape, made once per URL, exchange and routing key. */
const shapes = new Map<string, SpanShape>();

/**
 * The producer span of a publish (OpenTelemetry's messaging semantic conventions, RabbitMQ):
 * named `publish <exchange>`, `(default)` for the default exchange, whose name is the empty
 * string in `messaging.destination.name`. The routing key is an attribute here only when every
 * message has the same; a key made from the event's name goes with the attempt's outcome.
 */
export function rabbitMqSpan(endpoint: StoredEndpoint): SpanShape {
  const exchange = endpoint.exchange ?? '';
  const routingKey = endpoint.routing_key ?? EVENT_NAME_PLACEHOLDER;
  // endpoint.url is the URL without its credentials.
  const cacheKey = `${endpoint.url}\n${exchange}\n${routingKey}`;
  let shape = shapes.get(cacheKey);
  if (!shape) {
    const url = new URL(endpoint.url);
    const attributes: Attributes = {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': exchange,
      ...(routingKey.includes(EVENT_NAME_PLACEHOLDER)
        ? {}
        : { 'messaging.rabbitmq.destination.routing_key': routingKey }),
      'server.address': url.hostname.replace(/^\[|\]$/g, ''),
      'server.port': Number(url.port) || (url.protocol === 'amqps:' ? 5671 : 5672),
    };
    shape = {
      name: `publish ${exchange === '' ? '(default)' : exchange}`,
      kind: SpanKind.PRODUCER,
      attributes,
    };
    // Bounded: a process that sees many endpoints forgets the oldest first.
    if (shapes.size >= 1024) shapes.delete(shapes.keys().next().value!);
    shapes.set(cacheKey, shape);
  }
  return shape;
}
