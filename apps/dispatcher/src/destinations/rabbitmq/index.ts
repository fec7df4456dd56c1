import { EVENT_NAME_PLACEHOLDER } from '@hookline/api';
import type { Destination } from '../destination';
import { guardedLookup, systemResolver, type Resolver } from '../../ssrf-lookup';
import { signedHeaders } from '../signed-headers';
import { BrokerLinks } from './broker-links';
import { attemptResult } from './outcome';
import { publish } from './publish';
import { rabbitMqSpan } from './span';

export interface RabbitMqDestinationOptions {
  /** Time to open a connection (TCP, TLS, the AMQP handshake). Default 5 s, as HTTP's connect. */
  connectTimeoutMs?: number;
  /** Time for the whole attempt, connecting included, until the broker's confirm. Default 25 s, as HTTP's. */
  totalTimeoutMs?: number;
  /** `HOOKLINE_ALLOW_INSECURE_URLS`. */
  allowInsecure: boolean;
  /** Name resolution; the system resolver by default. */
  resolve?: Resolver;
  /** The certificate authorities to trust for amqps, in place of Node's own list (tests). */
  ca?: string;
}

/**
 * Webhooks as RabbitMQ messages: the event's JSON published to the endpoint's exchange with its
 * routing key, persistent and mandatory, signed in its headers as a webhook is (Standard
 * Webhooks), and delivered once the broker confirms it. One connection and one confirm channel
 * per endpoint, shared by its attempts.
 */
export function createRabbitMqDestination(options: RabbitMqDestinationOptions): Destination {
  const totalTimeout = options.totalTimeoutMs ?? 25_000;
  const links = new BrokerLinks({
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    allowInsecure: options.allowInsecure,
    lookup: guardedLookup(options.resolve ?? systemResolver, options.allowInsecure),
    ca: options.ca,
  });
  return {
    type: 'rabbitmq',
    span: rabbitMqSpan,
    async attempt(input) {
      const { endpoint } = input;
      const routingKey = (endpoint.routing_key ?? EVENT_NAME_PLACEHOLDER)
        .split(EVENT_NAME_PLACEHOLDER)
        .join(input.eventName);
      const outcome = await publish(
        links.of(endpoint),
        {
          exchange: endpoint.exchange ?? '',
          routingKey,
          body: input.body,
          deliveryId: input.deliveryId,
          attempt: input.attempt,
          headers: { ...signedHeaders(input), ...input.trace },
          now: input.now,
        },
        totalTimeout,
      );
      const result = attemptResult(outcome);
      result.spanAttributes = {
        ...result.spanAttributes,
        'messaging.rabbitmq.destination.routing_key': routingKey,
        'messaging.message.id': input.deliveryId,
      };
      return result;
    },
    forget: (endpointId) => links.forget(endpointId),
    close: () => links.close(),
  };
}
