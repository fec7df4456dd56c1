import type { EndpointType } from '@hookline/api';
import type { StoredEndpoint } from '@hookline/core';
import type { Destination } from './destination';
import { createHttpDestination, type HttpDestinationOptions } from './http';
import { createNatsDestination, type NatsDestinationOptions } from './nats';
import { createRabbitMqDestination, type RabbitMqDestinationOptions } from './rabbitmq';

export interface DestinationsOptions {
  http: HttpDestinationOptions;
  rabbitmq: RabbitMqDestinationOptions;
  nats: NatsDestinationOptions;
}

/** Every destination type, by the `type` of the endpoints it serves. */
export interface Destinations {
  /** The destination an endpoint's deliveries go through. */
  of(endpoint: StoredEndpoint): Destination;
  /** The endpoint changed or is gone: each destination closes what it held for it. */
  forget(endpointId: string): void;
  close(): Promise<void>;
}

/** The registry: one line per destination type. */
export function createDestinations(options: DestinationsOptions): Destinations {
  const byType: Record<EndpointType, Destination> = {
    http: createHttpDestination(options.http),
    rabbitmq: createRabbitMqDestination(options.rabbitmq),
    nats: createNatsDestination(options.nats),
  };
  const all = Object.values<Destination>(byType);
  return {
    of: (endpoint) => byType[endpoint.type],
    forget(endpointId) {
      for (const destination of all) destination.forget(endpointId);
    },
    async close() {
      await Promise.all(all.map((destination) => destination.close().catch(() => undefined)));
    },
  };
}
