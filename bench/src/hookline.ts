import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ApiClient, statusOf } from './api-client';
import { spawnChild, type Child } from './child-process';
import type { Cleanup } from './cleanup';
import { nowMs, waitFor } from './clock';
import type { LogDatabases } from './log-database';
import { freePort } from './ports';
import { serviceEnv } from './service-env';

export interface RunningProducer {
  child: Child;
  api: ApiClient;
  stop(): Promise<void>;
}

export interface RunningDispatcher {
  child: Child;
  /** Its `/metrics` and `/healthz` origin. */
  metricsUrl: string;
  /** When it was spawned (clock.ts `nowMs()`). */
  spawnedAt: number;
  /** Resolves with spawn → `/healthz` 200 in ms; rejects if it exits or takes over 30 s. */
  healthy: Promise<number>;
  stop(): Promise<void>;
}

/**
 * A fresh queue prefix per case: `bench-<case>-<random>`. No braces: Hookline adds its own hash
 * tags around the prefix (HOOKLINE_QUEUE_PREFIX allows no braces or colons), and the references
 * run on one redis-server only, where a hash tag changes nothing.
 */
export function freshPrefix(name: string): string {
  return `bench-${name}-${randomBytes(3).toString('hex')}`;
}

/**
 * Starts Hookline's two processes the way an operator does: `node apps/<app>/dist/main.js`,
 * configured by environment alone, default settings otherwise. Each queue prefix gets a log
 * database of its own (HOOKLINE_LOG_URL), which the bench drops after the case.
 */
export class HooklineLauncher {
  readonly apiKey = `hl_bench_${randomBytes(24).toString('hex')}`;
  /** The key the producer and the dispatchers seal endpoint secrets under: one for the run. */
  private readonly encryptionKey = randomBytes(32).toString('base64');

  constructor(
    private readonly root: string,
    private readonly redisUrl: string,
    private readonly cleanup: Cleanup,
    readonly logs: LogDatabases,
    /** More settings for both processes (a Redis Cluster's: REDIS_CLUSTER, HOOKLINE_SHARDS). */
    private readonly settings: Record<string, string> = {},
  ) {}

  /** A launcher of the same build for another Redis: `redisUrl`, with `settings`. */
  on(redisUrl: string, settings: Record<string, string>): HooklineLauncher {
    return new HooklineLauncher(this.root, redisUrl, this.cleanup, this.logs, settings);
  }

  /** A launcher of another build of Hookline (a checkout at `root`, built), on the same Redis. */
  of(root: string): HooklineLauncher {
    return new HooklineLauncher(root, this.redisUrl, this.cleanup, this.logs, this.settings);
  }

  private main(app: 'producer' | 'dispatcher'): string {
    return path.join(this.root, 'apps', app, 'dist', 'main.js');
  }

  /** Why the Hookline cases cannot run (a missing build), or undefined. */
  missing(): string | undefined {
    const absent = (['producer', 'dispatcher'] as const).filter(
      (app) => !existsSync(this.main(app)),
    );
    return absent.length === 0
      ? undefined
      : `${absent.map((app) => `apps/${app}/dist/main.js`).join(' and ')} not built (npm run build)`;
  }

  private async env(prefix: string, extra: Record<string, string>): Promise<NodeJS.ProcessEnv> {
    return serviceEnv({
      REDIS_URL: this.redisUrl,
      HOOKLINE_QUEUE_PREFIX: prefix,
      HOOKLINE_LOG_URL: await this.logs.urlFor(prefix),
      HOOKLINE_API_KEYS: this.apiKey,
      HOOKLINE_ENCRYPTION_KEYS: this.encryptionKey,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      LOG_LEVEL: 'warn',
      ...this.settings,
      ...extra,
    });
  }

  async startProducer(
    prefix: string,
    {
      connections = 32,
      nodeArgs = [],
    }: { connections?: number; nodeArgs?: readonly string[] } = {},
  ): Promise<RunningProducer> {
    const port = await freePort();
    const child = spawnChild('producer', process.execPath, [...nodeArgs, this.main('producer')], {
      cwd: this.root,
      env: await this.env(prefix, { PORT: String(port), HOST: '127.0.0.1' }),
    });
    const api = new ApiClient(`http://127.0.0.1:${port}`, this.apiKey, connections);
    const stopNow = this.cleanup.add('producer', async () => {
      await api.close().catch(() => undefined);
      await child.stop();
    });
    try {
      await waitFor(
        'the producer to be ready (GET /readyz 200)',
        async () => {
          if (!child.running) throw new Error(`the producer exited at start:\n${child.output()}`);
          return (await statusOf(`http://127.0.0.1:${port}/readyz`)) === 200 ? true : undefined;
        },
        { timeoutMs: 30_000 },
      );
    } catch (error) {
      await stopNow();
      throw error;
    }
    return { child, api, stop: stopNow };
  }

  /**
   * Spawns a dispatcher and returns at once: the drain is timed from the spawn, so waiting for
   * it to be healthy is the caller's choice (`healthy`).
   */
  async startDispatcher(
    prefix: string,
    { nodeArgs = [] }: { nodeArgs?: readonly string[] } = {},
  ): Promise<RunningDispatcher> {
    const port = await freePort();
    const env = await this.env(prefix, { METRICS_PORT: String(port) });
    const spawnedAt = nowMs();
    const child = spawnChild(
      'dispatcher',
      process.execPath,
      [...nodeArgs, this.main('dispatcher')],
      {
        cwd: this.root,
        env,
      },
    );
    const stop = this.cleanup.add('dispatcher', () => child.stop(30_000));
    const healthy = waitFor(
      'the dispatcher to be healthy (GET /healthz 200)',
      async () => {
        if (!child.running) throw new Error(`the dispatcher exited:\n${child.output()}`);
        return (await statusOf(`http://127.0.0.1:${port}/healthz`)) === 200
          ? Math.round(nowMs() - spawnedAt)
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    // Awaited by whoever needs it; never an unhandled rejection when nobody does.
    healthy.catch(() => undefined);
    return { child, metricsUrl: `http://127.0.0.1:${port}`, spawnedAt, healthy, stop };
  }
}
