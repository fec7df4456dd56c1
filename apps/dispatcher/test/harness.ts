import { EndpointCreate, type Delivery } from '@hookline/api';
import {
  createContext,
  createLogger,
  loadConfig,
  prepareEvent,
  type Config,
  type HooklineContext,
  type LogWriter,
  type LogWriterOptions,
} from '@hookline/core';
import {
  cleanupPrefix,
  keysOfPrefix,
  testPrefix,
  TEST_REDIS_ENV,
  waitFor,
} from '@hookline/core/testing';
import {
  createTestLog,
  startTestLogWriter,
  untilLogged,
  type TestLog,
} from '@hookline/core/testing-log';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../src/dispatcher';

/** Short limits so failure paths run in milliseconds; the defaults are the documented 5 s / 15 s / 25 s. */
export const FAST_SENDER = {
  connectTimeoutMs: 1_000,
  responseTimeoutMs: 1_000,
  totalTimeoutMs: 2_000,
};

/**
 * A log writer quick to notice changes and to sweep settled jobs, so that what a test waits for
 * in the log or in Redis happens in tens of ms, not the default 100 ms and 2 s.
 */
export const FAST_LOG_WRITER: LogWriterOptions = { idleMs: 20, sweepEveryMs: 250 };

/**
 * A test's own Hookline: a fresh prefix on the real Redis and a log (a Postgres database) of its
 * own, the API-side stores to create endpoints and publish with, and in-process dispatchers
 * started on demand (each runs its own log writer, as a dispatcher process does).
 */
export class Harness {
  readonly dispatchers: Dispatcher[] = [];
  private readonly writers: LogWriter[] = [];
  private constructor(
    readonly config: Config,
    readonly api: HooklineContext,
    private readonly log: TestLog,
  ) {}

  static async create(env: Record<string, string> = {}): Promise<Harness> {
    const log = await createTestLog('dispatch');
    const config = loadConfig({
      ...TEST_REDIS_ENV,
      HOOKLINE_QUEUE_PREFIX: testPrefix('dispatch'),
      HOOKLINE_LOG_URL: log.url,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      HOOKLINE_RETRY_SCHEDULE: '50ms,100ms',
      HOOKLINE_CONCURRENCY: '20',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const api = createContext(config, 'api');
    try {
      await api.ready();
      await api.log.migrate();
    } catch (error) {
      await api.close();
      await log.drop();
      throw error;
    }
    return new Harness(config, api, log);
  }

  /**
   * The environment of a built dispatcher or producer process on this harness's Redis prefix and
   * log (services.ts), `env` over it.
   */
  processEnv(env: Record<string, string> = {}): Record<string, string> {
    return {
      ...TEST_REDIS_ENV,
      HOOKLINE_QUEUE_PREFIX: this.config.queuePrefix,
      HOOKLINE_LOG_URL: this.config.logUrl,
      ...env,
    };
  }

  startDispatcher(options: Partial<DispatcherOptions> = {}): Dispatcher {
    const dispatcher = createDispatcher({
      config: this.config,
      logger: createLogger(this.config.logLevel, 'dispatcher-test'),
      sender: FAST_SENDER,
      logWriter: FAST_LOG_WRITER,
      ...options,
    });
    dispatcher.start();
    this.dispatchers.push(dispatcher);
    return dispatcher;
  }

  /** A log writer beside the API's stores, for a test that runs no dispatcher. */
  startLogWriter(): LogWriter {
    const writer = startTestLogWriter(this.api);
    this.writers.push(writer);
    return writer;
  }

  /** Resolves once every change made so far is in the log: its lists and counts then show it. */
  logged(timeoutMs?: number): Promise<void> {
    return untilLogged(this.api, timeoutMs);
  }

  createEndpoint(input: Record<string, unknown>) {
    return this.api.endpoints.create(EndpointCreate.parse(input));
  }

  /** Publishes an event to the given endpoints (through the same publisher the API uses). */
  async publish(
    endpointIds: string[],
    name = 'order.filled',
    data: Record<string, unknown> = { n: 1 },
    test = false,
  ) {
    const prepared = prepareEvent({ name, data }, endpointIds, { test });
    await this.api.publisher.publish([prepared]);
    return prepared;
  }

  async publishMany(endpointIds: string[], count: number, name = 'order.filled') {
    const events = Array.from({ length: count }, (_, i) =>
      prepareEvent({ name, data: { i } }, endpointIds),
    );
    await this.api.publisher.publish(events);
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

  /** Every delivery of an endpoint the log holds, newest first, read page by page. */
  async loggedDeliveriesOf(endpointId: string): Promise<Delivery[]> {
    const all: Delivery[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.log.listDeliveries({
        endpoint_id: endpointId,
        limit: 100,
        cursor,
      });
      all.push(...page.data);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return all;
  }

  /**
   * What Redis still holds of a delivery and its event: every key whose name has either id (its
   * job, the job's logs, the event's not-yet-logged mark), and each change stream with entries
   * left. Nothing once the delivery has settled and the log has it.
   */
  async tracesInRedis(deliveryId: string, eventId: string): Promise<string[]> {
    const keys = (await keysOfPrefix(this.config.queuePrefix)).filter(
      (key) => key.includes(deliveryId) || key.includes(eventId),
    );
    const streams = this.api.keys.allShards.map((shard) => this.api.keys.changes(shard));
    const lengths = await Promise.all(streams.map((stream) => this.api.redis.xlen(stream)));
    const unwritten = streams.flatMap((stream, i) =>
      lengths[i]! > 0 ? [`${stream} (${lengths[i]} entries)`] : [],
    );
    return [...keys.sort(), ...unwritten];
  }

  /** Closes what this harness started, then drops its Redis keys and, last, its log. */
  async close(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.close()));
    await Promise.all(this.writers.map((w) => w.close()));
    await this.api.close();
    await cleanupPrefix(this.config.queuePrefix);
    await this.log.drop();
  }
}
