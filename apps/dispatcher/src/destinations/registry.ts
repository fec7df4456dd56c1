import type { EndpointType } from '@hookline/api';
import type { StoredEndpoint } from '@hookline/core';
import type { Destination } from './destination';
import { createHttpDestination, type HttpDestinationOptions } from './http';
import { createRabbitMqDestination, type RabbitMqDestinationOptions } from './rabbitmq';

export interface DestinationsOptions {
  http: HttpDestinationOptions;
  rabbitmq: RabbitMqDestinationOptions;
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
  // TEMP while the broker destinations are built: back to a full Record once both are in.
  const byType: Partial<Record<EndpointType, Destination>> = {
    http: createHttpDestination(options.http),
    rabbitmq: createRabbitMqDestination(options.rabbitmq),
  };
  const all = Object.values<Destination>(byType);
  return {
    of: (endpoint) => byType[endpoint.type]!,
    forget(endpointId) {
      for (const destination of all) destination.forget(endpointId);
    },
    async close() {
      await Promise.all(all.map((destination) => destination.close().catch(() => undefined)));
    },
  };
}
