import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import {
  cleanupPrefix,
  freePort,
  testPrefix,
  TEST_REDIS_ENV,
  waitFor,
} from '@hookline/core/testing';
import { createContext, deliveryIdFor, loadConfig, prepareEvent } from '@hookline/core';
import { createTestLog, type TestLog } from '@hookline/core/testing-log';

export const OPERATOR_KEY = 'console-test-operator-key-'.padEnd(48, 'x');
const APPS = path.join(__dirname, '..', '..');

interface Service {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: string[];
}

/** What answers 2xx once a service is up: a URL, and the headers to ask it with. */
interface Probe {
  url: string;
  headers?: Record<string, string>;
}

/** A built service (`apps/<name>/dist/main.js`) as production runs it, up once `probe` answers. */
async function spawnService(
  name: 'producer' | 'dispatcher',
  env: Record<string, string>,
  probe: Probe,
) {
  const main = path.join(APPS, name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const { url, headers } = probe;
    await waitFor(async () => (await fetch(url, { headers }).catch(() => undefined))?.ok, {
      timeoutMs: 30_000,
      message: `${name} to answer ${url} (${output.join('')})`,
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return { child, exited, output } satisfies Service;
}

async function stop(service: Service): Promise<void> {
  if (service.child.exitCode === null) service.child.kill('SIGTERM');
  await service.exited;
}

/** A delivery as `GET /v1/deliveries` lists it (what these tests read of it). */
export interface LoggedDelivery {
  id: string;
  endpoint_id: string;
  status: string;
  attempts: { status_code: number | null }[];
}

/**
 * A test's own Hookline: the built producer (which serves the built console) and one built
 * dispatcher (which writes the log), as processes, on a fresh prefix of the real Redis and a log
 * (a Postgres database) of their own. Two retries 50 ms apart (unless `env` sets
 * `HOOKLINE_RETRY_SCHEDULE`), so a failing receiver makes a dead delivery in well under a second.
 */
export class Hookline {
  private constructor(
    readonly url: string,
    private readonly prefix: string,
    private readonly services: Service[],
    private readonly log: TestLog,
    /** What both services run with: where the Redis, the prefix and the log are. */
    private readonly env: Record<string, string>,
  ) {}

  static async start(label: string, env: Record<string, string> = {}): Promise<Hookline> {
    const prefix = testPrefix(label);
    const log = await createTestLog(label);
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    const shared = {
      ...TEST_REDIS_ENV,
      HOOKLINE_QUEUE_PREFIX: prefix,
      HOOKLINE_LOG_URL: log.url,
      ...env,
    };
    const url = `http://127.0.0.1:${apiPort}`;
    const producer = await spawnService(
      'producer',
      { ...shared, PORT: String(apiPort), HOST: '127.0.0.1', HOOKLINE_API_KEYS: OPERATOR_KEY },
      // Up once a list answers: the producer has brought the log's schema up to date (lists
      // answer 503 until then), so the dispatcher's log writer finds it there.
      { url: `${url}/v1/events?limit=1`, headers: { authorization: `Bearer ${OPERATOR_KEY}` } },
    ).catch(async (error: unknown) => {
      await log.drop();
      throw error;
    });
    const dispatcher = await spawnService(
      'dispatcher',
      // `env` may set a schedule of its own: a test that needs a delivery to stay failed.
      { HOOKLINE_RETRY_SCHEDULE: '50ms,50ms', ...shared, METRICS_PORT: String(metricsPort) },
      { url: `http://127.0.0.1:${metricsPort}/healthz` },
    ).catch(async (error: unknown) => {
      await stop(producer);
      await log.drop();
      throw error;
    });
    return new Hookline(url, prefix, [producer, dispatcher], log, shared);
  }

  /** The API with the operator key, as a publisher calls it. Throws on an error status. */
  async api<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${OPERATOR_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * The log's deliveries once it lists `count` and each is delivered or dead: the log is written
   * a little after the dispatcher settles a delivery. Newest first, at most 100.
   */
  async settledDeliveries(count: number): Promise<LoggedDelivery[]> {
    let deliveries: LoggedDelivery[] = [];
    await waitFor(
      async () => {
        deliveries = (await this.api<{ data: LoggedDelivery[] }>('GET', '/v1/deliveries?limit=100'))
          .data;
        return (
          deliveries.length === count &&
          deliveries.every((d) => d.status === 'delivered' || d.status === 'dead')
        );
      },
      {
        timeoutMs: 20_000,
        intervalMs: 100,
        message: `the log to hold ${count} settled deliveries`,
      },
    );
    return deliveries;
  }

  /**
   * Publishes an event with a W3C `traceparent` through the core, as the producer's publish route
   * does, on the same Redis, prefix and log: the route does not take the header yet.
   */
  async publishTraced(
    name: string,
    endpointIds: string[],
    traceparent: string,
  ): Promise<{ event: string; deliveries: string[] }> {
    const context = createContext(loadConfig(this.env), 'api');
    try {
      await context.ready();
      const prepared = prepareEvent({ name, data: {} }, endpointIds);
      await context.publisher.publish([{ ...prepared, traceparent }]);
      const event = prepared.event.id;
      return { event, deliveries: endpointIds.map((id) => deliveryIdFor(event, id)) };
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.services.map(stop));
    await cleanupPrefix(this.prefix);
    await this.log.drop();
  }
}

/** A receiver on 127.0.0.1 answering `status` (changeable), body `answered <status>`. */
export class Receiver {
  status = 200;
  received = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new Receiver(server, `http://127.0.0.1:${port}/webhooks`);
    server.on('connection', (socket: Socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      req.resume();
      req.on('end', () => {
        receiver.received++;
        const status = receiver.status;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status}`);
      });
    });
    return receiver;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
