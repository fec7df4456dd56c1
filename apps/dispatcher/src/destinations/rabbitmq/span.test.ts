import type { StoredEndpoint } from '@hookline/core';
import { SpanKind } from '@opentelemetry/api';
import { rabbitMqSpan } from './span';

const endpoint = (fields: Partial<StoredEndpoint>) =>
  ({ type: 'rabbitmq', url: 'amqps://broker.example/prod', ...fields }) as StoredEndpoint;

test('a publish is a producer span in the messaging conventions, named by its exchange', () => {
  expect(rabbitMqSpan(endpoint({ exchange: 'orders', routing_key: 'all' }))).toEqual({
    name: 'publish orders',
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'orders',
      'messaging.rabbitmq.destination.routing_key': 'all',
      'server.address': 'broker.example',
      'server.port': 5671,
    },
  });
});

test('the default exchange is named (default), and a routing key made per event is left to the attempt', () => {
  const shape = rabbitMqSpan(
    endpoint({ url: 'amqp://127.0.0.1:5673/', exchange: '', routing_key: 'hooks.{event}' }),
  );
  expect(shape.name).toBe('publish (default)');
  expect(shape.attributes['messaging.destination.name']).toBe('');
  expect(shape.attributes).not.toHaveProperty('messaging.rabbitmq.destination.routing_key');
  expect(shape.attributes['server.port']).toBe(5673);
});
