import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createContext,
  loadConfig,
  redisKeys,
  type HooklineContext,
  type RedisKeys,
} from '@hookline/core';
import { freePort, TEST_ENCRYPTION_KEY, TestRedisServer } from '@hookline/core/testing';
import { createTestLog, untilLogged, type TestLog } from '@hookline/core/testing-log';
import { Redis } from 'ioredis';
import { Api } from './api';
import { DISPATCHER_MAIN, PRODUCER_MAIN, Service, type Exit } from './service';

/** Redis as production should run it: every write fsynced before it is acknowledged. */
export const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];

/**
 * HOOKLINE_QUEUE_PREFIX of every scenario: the default. Hookline makes the hash tags itself,
 * `{hookline}` for the catalog and `{hookline:<n>}` for shard n (packages/core/src/keys.ts).
 */
export const PREFIX = 'hookline';

/** A dispatcher that exited while {@link Deployment.replaceExitedDispatchers} watched. */
export interface DispatcherExit {
  name: string;
  exit: Exit;
  /** Its last lines of output: the why. */
  output: string;
}

/** What every kind of deployment under test is started with. */
export interface DeploymentOptions {
  /** Dispatchers to start. Default 2. */
  dispatchers?: number;
  /** HOOKLINE_SHARDS. Default 1. */
  shards?: number;
  /** Connections of the API client (requests beyond them wait for one). Default 16. */
  apiConnections?: number;
  /** Environment for both services (over the defaults below). */
  env?: Record<string, string>;
  dispatcherEnv?: Record<string, string>;
  producerEnv?: Record<string, string>;
  /**
   * Makes the log's database (HOOKLINE_LOG_URL of every process), dropped by `destroy`. Default:
   * one of its own on the test Postgres (`createTestLog`).
   */
  log?: (label: string) => Promise<TestLog>;
}

export interface HooklineOptions extends DeploymentOptions {
  /** redis-server arguments; no persistence by default. */
  redisArgs?: string[];
}

/**
 * Hookline's processes (the producer and N dispatchers, as real processes) and an API client,
 * over a Redis the subclass owns: a redis-server ({@link Hookline}) or a Redis Cluster.
 */
export abstract class Deployment {
  readonly dispatchers: Service[] = [];
  readonly services: Service[] = [];
  producer!: Service;
  api!: Api;
  /** Where Hookline keeps what (the same {@link redisKeys} its processes use). */
  readonly keys: RedisKeys;
  /** The log's database, this deployment's own. */
  log: TestLog | undefined;
  /**
   * The test's own look at Hookline's state as its processes keep it: deliveries in flight
   * (`context.inFlight`, their jobs in Redis) and the log (`context.log`). Its connections wait
   * out an outage rather than fail, as the test's other reads do.
   */
  context!: HooklineContext;
  private readonly key = `faults-${randomBytes(24).toString('hex')}`;

  protected constructor(
    /** A connection for the test's own look at Redis (key counts, job lists). */
    readonly redis: Redis,
    /** REDIS_URL (and REDIS_CLUSTER) of the processes. */
    private readonly redisEnv: Record<string, string>,
    protected readonly options: DeploymentOptions,
  ) {
    this.keys = redisKeys(PREFIX, options.shards ?? 1);
  }

  /** Makes the log's database, then starts the producer, then the dispatchers. */
  protected async startServices(): Promise<void> {
    this.log = await (this.options.log ?? createTestLog)('faults');
    this.context = createContext(loadConfig(this.env(undefined)), 'worker');
    await this.context.log.migrate();
    await this.startProducer();
    await Promise.all(
      Array.from({ length: this.options.dispatchers ?? 2 }, () => this.startDispatcher()),
    );
  }

  private env(extra: Record<string, string> | undefined): Record<string, string> {
    return {
      ...this.redisEnv,
      HOOKLINE_QUEUE_PREFIX: PREFIX,
      HOOKLINE_SHARDS: String(this.keys.shards),
      HOOKLINE_API_KEYS: this.key,
      HOOKLINE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY.toString('base64'),
      HOOKLINE_LOG_URL: this.log!.url,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      HOOKLINE_CONCURRENCY: '50',
      HOOKLINE_RETRY_SCHEDULE: '100ms,200ms,400ms',
      LOG_LEVEL: 'warn',
      ...this.options.env,
      ...extra,
    };
  }

  async startProducer(): Promise<Service> {
    const port = await freePort();
    const producer = Service.spawn(
      'producer',
      PRODUCER_MAIN,
      { ...this.env(this.options.producerEnv), PORT: String(port), HOST: '127.0.0.1' },
      port,
    );
    this.services.push(producer);
    this.producer = producer;
    await producer.waitHealthy('/readyz');
    await this.api?.close();
    this.api = new Api(producer.url, this.key, this.options.apiConnections);
    return producer;
  }

  async startDispatcher(extraEnv: Record<string, string> = {}): Promise<Service> {
    const port = await freePort();
    const dispatcher = Service.spawn(
      `dispatcher-${this.dispatchers.length + 1}`,
      DISPATCHER_MAIN,
      { ...this.env({ ...this.options.dispatcherEnv, ...extraEnv }), METRICS_PORT: String(port) },
      port,
    );
    this.services.push(dispatcher);
    this.dispatchers.push(dispatcher);
    await dispatcher.waitHealthy('/healthz');
    return dispatcher;
  }

  /**
   * From now until `stop()`, replaces a dispatcher that exits, as an orchestrator would, so that
   * a scenario goes on to its other checks; each exit is listed with its process's last output.
   */
  replaceExitedDispatchers(): { exits: DispatcherExit[]; stop(): void } {
    const exits: DispatcherExit[] = [];
    let replacing = true;
    const watch = (d: Service): void => {
      void d.exited.then(async (exit) => {
        if (!replacing) return;
        exits.push({ name: d.name, exit, output: d.output().split('\n').slice(-20).join('\n') });
        watch(await this.startDispatcher());
      });
    };
    this.liveDispatchers.forEach(watch);
    return {
      exits,
      stop: () => {
        replacing = false;
      },
    };
  }

  get liveDispatchers(): Service[] {
    return this.dispatchers.filter((d) => d.alive);
  }

  /** Waits until every change so far is in the log (every shard's change stream is empty). */
  untilLogged(timeoutMs = 60_000): Promise<void> {
    return untilLogged(this.context, timeoutMs);
  }

  /** Every process's output, for the report of a failed scenario. */
  dumpLogs(): string {
    return this.services
      .map(
        (s) =>
          `----- ${s.name} (pid ${s.pid}, exit ${JSON.stringify(s.exit ?? 'running')}) -----\n${s.output().split('\n').slice(-200).join('\n')}`,
      )
      .join('\n');
  }

  /**
   * Kills every process, closes the clients and drops the log's database; the subclass then
   * stops its Redis.
   */
  async destroy(): Promise<void> {
    await Promise.all(this.services.map((s) => s.stop('SIGKILL')));
    await this.api?.close();
    // Bounded: closing BullMQ's queues waits for a Redis that a failed scenario may have left down.
    await Promise.race([
      this.context?.close(),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
    this.redis.disconnect();
    await this.log?.drop().catch((error: Error) => {
      process.stderr.write(`the log's database was not dropped: ${error.message}\n`);
    });
  }
}

/**
 * A whole Hookline of a scenario's own: a redis-server it started itself (so it may kill, stop
 * and restart it), the producer and N dispatchers as real processes, and an API client.
 */
export class Hookline extends Deployment {
  private constructor(
    readonly server: TestRedisServer,
    options: HooklineOptions,
  ) {
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    super(redis, { REDIS_URL: server.url }, options);
  }

  static async start(options: HooklineOptions = {}): Promise<Hookline> {
    const server = await TestRedisServer.start(options.redisArgs);
    const h = new Hookline(server, options);
    try {
      await h.checkOwnRedis();
      await h.startServices();
    } catch (error) {
      await h.destroy();
      throw error;
    }
    return h;
  }

  /**
   * Throws unless the Redis answering on our port is the redis-server we started. A restart whose
   * port was taken meanwhile (by another test run on the machine) fails to bind and exits, and the
   * readiness probe of TestRedisServer would then be answered by the other run's Redis.
   */
  async checkOwnRedis(): Promise<void> {
    const probe = new Redis(this.server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const pid = Number(/^process_id:(\d+)/m.exec(await probe.info('server'))?.[1]);
      if (pid !== this.server.pid) {
        throw new Error(
          `the Redis on port ${this.server.port} is pid ${pid}, not ours (${this.server.pid}): port taken by another process`,
        );
      }
    } finally {
      probe.disconnect();
    }
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.server.destroy();
  }
}

/** A process's resident memory, from the dispatcher's `/metrics` (prom-client), else from /proc. */
export async function residentBytes(service: Service): Promise<number | undefined> {
  const text = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(3_000) })
    .then((res) => res.text())
    .catch(() => undefined);
  const match = text && /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (match?.[1]) return Number(match[1]);
  try {
    const status = readFileSync(`/proc/${service.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the resident memory of every live dispatcher every `intervalMs` until stopped. */
export class MemoryWatch {
  readonly samples: { at: number; name: string; bytes: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly services: () => Service[],
    intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  /** Takes one sample now (the timer takes the others). */
  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await Promise.all(
        this.services().map(async (s) => {
          const bytes = await residentBytes(s);
          if (bytes !== undefined) this.samples.push({ at: Date.now(), name: s.name, bytes });
        }),
      );
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  peakMiB(): number {
    return Math.round(Math.max(0, ...this.samples.map((s) => s.bytes)) / 1024 / 1024);
  }

  /** The first sample of each process, the baseline the peak is judged against. */
  baselineMiB(): number {
    const first = new Map<string, number>();
    for (const s of this.samples) if (!first.has(s.name)) first.set(s.name, s.bytes);
    return Math.round(Math.max(0, ...first.values()) / 1024 / 1024);
  }
}
