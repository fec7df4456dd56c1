import { EndpointCreate, type Delivery } from '@hookline/api';
import {
  createContext,
  createLogger,
  loadConfig,
  prepareEvent,
  type Config,
  type HooklineContext,
} from '@hookline/core';
import { cleanupPrefix, testPrefix, TEST_REDIS_ENV, waitFor } from '@hookline/core/testing';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../src/dispatcher';

/** Short limits so failure paths run in milliseconds; the defaults are the documented 5 s / 15 s / 25 s. */
export const FAST_SENDER = {
  connectTimeoutMs: 1_000,
  responseTimeoutMs: 1_000,
  totalTimeoutMs: 2_000,
};

/**
 * A test's own Hookline: a fresh prefix on the real Redis, the API-side stores to create endpoints
 * and publish with, and in-process dispatchers started on demand.
 */
export class Harness {
  readonly dispatchers: Dispatcher[] = [];
  private constructor(
    readonly config: Config,
    readonly api: HooklineContext,
  ) {}

  static async create(env: Record<string, string> = {}): Promise<Harness> {
    const config = loadConfig({
      ...TEST_REDIS_ENV,
      HOOKLINE_QUEUE_PREFIX: testPrefix('dispatch'),
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      HOOKLINE_RETRY_SCHEDULE: '50ms,100ms',
      HOOKLINE_CONCURRENCY: '20',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const api = createContext(config, 'api');
    await api.ready();
    return new Harness(config, api);
  }

  startDispatcher(options: Partial<DispatcherOptions> = {}): Dispatcher {
    const dispatcher = createDispatcher({
      config: this.config,
      logger: createLogger(this.config.logLevel, 'dispatcher-test'),
      sender: FAST_SENDER,
      ...options,
    });
    dispatcher.start();
    this.dispatchers.push(dispatcher);
    return dispatcher;
  }

  createEndpoint(input: Record<string, unknown>) {
    return this.api.endpoints.create(EndpointCreate.parse(input));
  }

  /** Publishes an event to the given endpoints (through the same store the API uses). */
  async publish(
    endpointIds: string[],
    name = 'order.filled',
    data: Record<string, unknown> = { n: 1 },
    test = false,
  ) {
    const prepared = prepareEvent({ name, data }, endpointIds, { test });
    await this.api.deliveries.publish([prepared]);
    return prepared;
  }

  async publishMany(endpointIds: string[], count: number, name = 'order.filled') {
    const events = Array.from({ length: count }, (_, i) =>
      prepareEvent({ name, data: { i } }, endpointIds),
    );
    await this.api.deliveries.publish(events);
    return events;
  }

  deliveryStatus(id: string) {
    return this.api.deliveries.getDelivery(id);
  }

  /** The delivery, once `ready` holds for it. */
  waitForDelivery(id: string, ready: (delivery: Delivery) => boolean): Promise<Delivery> {
    return waitFor(
      async () => {
        const delivery = await this.api.deliveries.getDelivery(id);
        return delivery && ready(delivery) ? delivery : undefined;
      },
      { message: `delivery ${id}` },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.close()));
    await this.api.close();
    await cleanupPrefix(this.config.queuePrefix);
  }
}
