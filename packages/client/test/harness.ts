import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  createContext,
  createLogger,
  createMetrics,
  loadConfig,
  type Config,
  type HooklineContext,
  type LogWriter,
} from '@hookline/core';
import { cleanupPrefix, testPrefix, TEST_REDIS_ENV, waitFor } from '@hookline/core/testing';
import {
  createTestLog,
  startTestLogWriter,
  untilLogged,
  type TestLog,
} from '@hookline/core/testing-log';
import { createDispatcher, type Dispatcher } from '@hookline/dispatcher';
import { createApp, metricSources } from '@hookline/producer';
import { Hookline, HooklineApiError, type HooklineOptions } from '../src';

export const API_KEY = 'client-test-key-'.padEnd(40, 'x');

/** An HTTP server on 127.0.0.1:0 whose `close()` also cuts keep-alive connections. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A test's own Hookline: the real producer app listening on 127.0.0.1 (got needs a real URL),
 * on a fresh prefix of the real Redis and a log (a Postgres database) of its own, written by a
 * log writer beside the app as a dispatcher's would; and on demand a real dispatcher in this
 * process (with a writer of its own, as a dispatcher process has).
 */
export class Harness {
  private dispatcher: Dispatcher | undefined;

  private constructor(
    readonly config: Config,
    readonly context: HooklineContext,
    readonly url: string,
    private readonly closeServer: () => Promise<void>,
    private readonly writer: LogWriter,
    private readonly log: TestLog,
  ) {}

  static async start(label: string): Promise<Harness> {
    const log = await createTestLog(label);
    const config = loadConfig({
      ...TEST_REDIS_ENV,
      HOOKLINE_API_KEYS: API_KEY,
      HOOKLINE_QUEUE_PREFIX: testPrefix(label),
      HOOKLINE_LOG_URL: log.url,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      // One retry 20 ms after the first attempt: a failing endpoint is dead in milliseconds.
      HOOKLINE_RETRY_SCHEDULE: '20ms',
      LOG_LEVEL: 'silent',
    });
    const context = createContext(config, 'api');
    try {
      await context.ready();
      await context.log.migrate();
    } catch (error) {
      await context.close();
      await log.drop();
      throw error;
    }
    const writer = startTestLogWriter(context);
    const app = createApp({
      context,
      config,
      metrics: createMetrics(metricSources(context)),
      logger: createLogger('silent', 'producer-test'),
    });
    const { url, close } = await listen(app);
    return new Harness(config, context, url, close, writer, log);
  }

  /**
   * Resolves once every change made so far is in the log. Lists, counts, the dead letter and
   * what reads them (replay, recover) see the log, which lags the API by tens of ms.
   */
  logged(): Promise<void> {
    return untilLogged(this.context);
  }

  /** A client of this producer; `options` override the defaults (the right key, no retries). */
  client(options: Partial<HooklineOptions> = {}): Hookline {
    return new Hookline({ url: this.url, apiKey: API_KEY, retries: 0, ...options });
  }

  /** Starts a dispatcher delivering this prefix's jobs (short time limits: failures are quick). */
  startDispatcher(): void {
    this.dispatcher = createDispatcher({
      config: this.config,
      logger: createLogger('silent', 'dispatcher-test'),
      sender: { connectTimeoutMs: 1_000, responseTimeoutMs: 1_000, totalTimeoutMs: 2_000 },
    });
    this.dispatcher.start();
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
    await this.closeServer();
    await this.writer.close();
    await this.context.close();
    await cleanupPrefix(this.config.queuePrefix);
    await this.log.drop();
  }
}

/** A webhook receiver answering `status()` (read per request, so a test can change it). */
export async function receiver(status: () => number = () => 204) {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status()).end();
    });
  });
  return { ...server, received };
}

/**
 * A time after everything so far and before anything to come (the clock has moved past now):
 * what was created before it is `until` it, what is created after is `since` it.
 */
export async function momentBetween(): Promise<Date> {
  const now = Date.now();
  await waitFor(() => Date.now() > now, { message: 'the clock to move' });
  return new Date();
}

/** The HooklineApiError `promise` rejects with; fails the test if it resolves or throws another. */
export async function apiError(promise: Promise<unknown>): Promise<HooklineApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HooklineApiError);
  return error as HooklineApiError;
}
