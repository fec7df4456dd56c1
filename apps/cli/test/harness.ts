import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { Hookline } from '@hookline/client';
import {
  createContext,
  createLogger,
  createMetrics,
  loadConfig,
  type Config,
  type HooklineContext,
} from '@hookline/core';
import { cleanupPrefix, testPrefix, TEST_REDIS_ENV, waitFor } from '@hookline/core/testing';
import { createTestLog, untilLogged, type TestLog } from '@hookline/core/testing-log';
import { createDispatcher, type Dispatcher } from '@hookline/dispatcher';
import { createApp, metricSources } from '@hookline/producer';

export const API_KEY = 'cli-test-key-'.padEnd(40, 'x');

/** The built CLI, run as users run it. */
export const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

export function requireBuild(): void {
  if (!existsSync(MAIN))
    throw new Error(
      `${MAIN} is missing: the CLI tests run the built CLI, run \`npm run build\` first`,
    );
}

/** An HTTP server on 127.0.0.1:0 whose `close()` also cuts keep-alive connections. */
async function listen(
  handler: Parameters<typeof createServer>[1],
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
 * A test's own Hookline: the real producer listening on 127.0.0.1, a real dispatcher (one retry
 * after 20 ms; it writes the log, as a dispatcher process does), both in this process, on a fresh
 * prefix of the real Redis and a log (a Postgres database) of its own.
 */
export class Harness {
  private constructor(
    readonly config: Config,
    private readonly context: HooklineContext,
    private readonly dispatcher: Dispatcher,
    readonly url: string,
    private readonly closeServer: () => Promise<void>,
    private readonly log: TestLog,
  ) {}

  /** `env`: more settings, or other ones (`HOOKLINE_RETRY_SCHEDULE: '1h'` keeps a failed delivery failed). */
  static async start(label: string, env: Record<string, string> = {}): Promise<Harness> {
    const log = await createTestLog(label);
    const config = loadConfig({
      ...TEST_REDIS_ENV,
      HOOKLINE_API_KEYS: API_KEY,
      HOOKLINE_QUEUE_PREFIX: testPrefix(label),
      HOOKLINE_LOG_URL: log.url,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      HOOKLINE_RETRY_SCHEDULE: '20ms',
      LOG_LEVEL: 'silent',
      ...env,
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
    const app = createApp({
      context,
      config,
      metrics: createMetrics(metricSources(context)),
      logger: createLogger('silent', 'producer-test'),
    });
    const { url, close } = await listen(app);
    const dispatcher = createDispatcher({
      config,
      logger: createLogger('silent', 'dispatcher-test'),
      sender: { connectTimeoutMs: 1_000, responseTimeoutMs: 1_000, totalTimeoutMs: 2_000 },
      // Quick to notice changes: what a test waits for is in the log in tens of ms.
      logWriter: { idleMs: 10 },
    });
    dispatcher.start();
    return new Harness(config, context, dispatcher, url, close, log);
  }

  /**
   * Resolves once every change made so far is in the log. Lists, searches, counts and the dead
   * letter (and so replays) read the log, which lags the API by tens of ms.
   */
  logged(): Promise<void> {
    return untilLogged(this.context);
  }

  /** The endpoint as stored, the broker URL with its credentials as the dispatcher gets it. */
  storedEndpoint(id: string) {
    return this.context.endpoints.get(id);
  }

  /** The client, to arrange and check what the CLI did. */
  client(): Hookline {
    return new Hookline({ url: this.url, apiKey: API_KEY, retries: 0 });
  }

  /** The environment the CLI is run with: this producer and its key. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return { HOOKLINE_URL: this.url, HOOKLINE_API_KEY: API_KEY, ...overrides };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
    await this.closeServer();
    await this.context.close();
    await cleanupPrefix(this.config.queuePrefix);
    await this.log.drop();
  }
}

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A failed run: exit `code`, nothing on stdout, one line on stderr that matches `pattern`. */
export function expectOneLineFailure(result: Result, code: number, pattern: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^hookline: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...env };
}

/**
 * `hookline <args…>` in a child process, to its exit. Asynchronous on purpose: the producer it
 * talks to runs in this process, and must keep answering while the child waits.
 */
export function hookline(args: string[], env: Record<string, string>): Promise<Result> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `hookline listen …`, running until `stop()`. */
export class Listen {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts it on a free port and resolves with it and its URL once it listens. */
  static async start(args: string[]): Promise<{ listen: Listen; url: string }> {
    const listen = new Listen(
      spawn(process.execPath, [MAIN, 'listen', '--port', '0', ...args], {
        env: childEnv({}),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const match = await listen.waitFor(/Listening on (http:\/\/\S+) /, 'stdout and stderr');
    return { listen, url: `${match[1]}/webhooks` };
  }

  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp, message = String(pattern)): Promise<RegExpMatchArray> {
    return waitFor(() => pattern.exec(this.stdout) ?? pattern.exec(this.stderr), {
      message: `${message} in listen's output: ${JSON.stringify(this.stdout + this.stderr)}`,
    });
  }

  /** SIGTERM, and its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** A receiver in this process answering `status()` (read per request). */
export async function receiver(status: () => number) {
  const received: IncomingMessage['headers'][] = [];
  const server = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.writeHead(status(), { 'content-type': 'text/plain' }).end(`answered ${status()}`);
    });
  });
  return { ...server, received };
}

/**
 * A time after everything so far and before anything to come (the clock has moved past now):
 * what was created before it is `--until` it, what is created after is `--since` it.
 */
export async function momentBetween(): Promise<string> {
  const now = Date.now();
  await waitFor(() => Date.now() > now, { message: 'the clock to move' });
  return new Date().toISOString();
}
