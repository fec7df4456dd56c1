import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from '@hookline/core/testing';

/** A built Hookline service (`apps/<name>/dist/main.js`) running as a child process, as production runs it. */
export interface Service {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  output: string[];
  url(path: string): string;
}

export async function spawnService(
  name: 'producer' | 'dispatcher',
  env: Record<string, string>,
  /** Its working directory (where a local start keeps its key: `.hookline/`). Default: this one's. */
  cwd?: string,
): Promise<Service> {
  const main = path.join(__dirname, '..', '..', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  // Without it a process would write the log of the local server's `hookline` database, shared
  // with every other run, and a test would read its own empty log.
  if (!env.HOOKLINE_LOG_URL) throw new Error(`${name}: give it HOOKLINE_LOG_URL (a test log)`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      LOG_LEVEL: 'warn',
      ...(name === 'producer'
        ? { PORT: String(port), HOST: '127.0.0.1' }
        : { METRICS_PORT: String(port) }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = (p: string) => `http://127.0.0.1:${port}${p}`;
  try {
    await waitFor(
      async () =>
        (await fetch(url(name === 'producer' ? '/readyz' : '/healthz')).catch(() => undefined))?.ok,
      { timeoutMs: 30_000, message: `${name} on :${port} to be up (${output.join('')})` },
    );
  } catch (error) {
    // Never leave a half-started service behind a failed test.
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  return { child, port, exited, output, url };
}

/** One sample of a Prometheus text exposition, by metric name and exact label set (`{a="b"}` or ''). */
export function sample(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === `${name}${labels}`) return Number(line.slice(space + 1));
  }
  return undefined;
}

/** What the producer answered: its status, its JSON body (`{}` for none), and when. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
  at: number;
}

/**
 * A built producer and a built dispatcher on one Redis prefix and one log (the process tests'
 * setup), and the producer's API called with an operator key.
 */
export class ServicePair {
  private constructor(
    readonly producer: Service,
    readonly dispatcher: Service,
    private readonly key: string,
  ) {}

  static async start(
    config: {
      redisUrl: string;
      redisCluster?: boolean;
      shards?: number;
      queuePrefix: string;
      logUrl: string;
    },
    key: string,
    env: Record<string, string> = {},
  ): Promise<ServicePair> {
    const all = {
      REDIS_URL: config.redisUrl,
      REDIS_CLUSTER: String(config.redisCluster ?? false),
      HOOKLINE_SHARDS: String(config.shards ?? 1),
      HOOKLINE_QUEUE_PREFIX: config.queuePrefix,
      HOOKLINE_LOG_URL: config.logUrl,
      HOOKLINE_API_KEYS: key,
      ...env,
    };
    const producer = await spawnService('producer', all);
    const dispatcher = await spawnService('dispatcher', all).catch(async (error: unknown) => {
      producer.child.kill('SIGKILL');
      await producer.exited;
      throw error;
    });
    return new ServicePair(producer, dispatcher, key);
  }

  async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiAnswer<T>> {
    const res = await fetch(this.producer.url(path), {
      method,
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, at: Date.now() };
  }

  async stop(): Promise<void> {
    for (const s of [this.producer, this.dispatcher]) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
  }
}
