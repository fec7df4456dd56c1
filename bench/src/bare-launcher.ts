import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { generateSecret } from '@hookline/webhooks';
import { ApiClient } from './api-client';
import { spawnChild, type Child } from './child-process';
import type { Cleanup } from './cleanup';
import { nowMs } from './clock';
import { freePort } from './ports';
import { serviceEnv } from './service-env';

export interface RunningPipeline {
  child: Child;
  api: ApiClient;
  stop(): Promise<void>;
}

export interface RunningWorker {
  child: Child;
  /** When it was spawned (clock.ts `nowMs()`). */
  spawnedAt: number;
  /** Resolves once it is connected (its BullMQ worker, or to the broker: "ready"); rejects if it exits first. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the references (references/*.ts, built to dist/references/) as processes, the way
 * HooklineLauncher starts Hookline's: `node <file>.js`, configured by environment alone.
 */
export class BareLauncher {
  readonly apiKey = `bare_${randomBytes(24).toString('hex')}`;
  readonly secret = generateSecret();

  constructor(
    private readonly redisUrl: string,
    private readonly cleanup: Cleanup,
  ) {}

  private main(name: 'bare-pipeline' | 'bare-worker' | 'bare-amqp-publisher'): string {
    return path.join(__dirname, 'references', `${name}.js`);
  }

  /** The bare pipeline on a free port, every event to `endpointUrl`; returns once it listens. */
  async startPipeline(
    prefix: string,
    endpointUrl: string,
    {
      connections = 32,
      nodeArgs = [],
    }: { connections?: number; nodeArgs?: readonly string[] } = {},
  ): Promise<RunningPipeline> {
    const port = await freePort();
    const child = spawnChild(
      'bare pipeline',
      process.execPath,
      [...nodeArgs, this.main('bare-pipeline')],
      {
        env: serviceEnv({
          REDIS_URL: this.redisUrl,
          BARE_PREFIX: prefix,
          BARE_API_KEY: this.apiKey,
          BARE_ENDPOINT_URL: endpointUrl,
          PORT: String(port),
        }),
      },
    );
    const api = new ApiClient(`http://127.0.0.1:${port}`, this.apiKey, connections);
    const stopNow = this.cleanup.add('bare pipeline', async () => {
      await api.close().catch(() => undefined);
      await child.stop();
    });
    try {
      await child.waitForLine(/^ready$/, 30_000);
    } catch (error) {
      await stopNow();
      throw error;
    }
    return { child, api, stop: stopNow };
  }

  /** Spawns the bare worker and returns at once: a drain is timed from the spawn, as the dispatcher's is. */
  startWorker(
    prefix: string,
    { nodeArgs = [] }: { nodeArgs?: readonly string[] } = {},
  ): RunningWorker {
    return this.spawnDeliverer('bare-worker', nodeArgs, {
      REDIS_URL: this.redisUrl,
      BARE_PREFIX: prefix,
      BARE_SECRET: this.secret,
    });
  }

  /**
   * Spawns the bare AMQP publisher, which publishes `messages` signed messages to `exchange` and
   * then idles until stopped; returns at once: it is timed from the spawn, as the dispatcher is.
   */
  startAmqpPublisher(
    target: { url: string; exchange: string; routingKey: string; eventName: string },
    messages: number,
  ): RunningWorker {
    return this.spawnDeliverer('bare-amqp-publisher', [], {
      BARE_AMQP_URL: target.url,
      BARE_EXCHANGE: target.exchange,
      BARE_ROUTING_KEY: target.routingKey,
      BARE_EVENT_NAME: target.eventName,
      BARE_SECRET: this.secret,
      BARE_MESSAGES: String(messages),
    });
  }

  /** A reference that delivers, spawned; it prints "ready" once connected. */
  private spawnDeliverer(
    name: 'bare-worker' | 'bare-amqp-publisher',
    nodeArgs: readonly string[],
    env: Record<string, string>,
  ): RunningWorker {
    const title = name.replaceAll('-', ' ');
    const spawnedAt = nowMs();
    const child = spawnChild(title, process.execPath, [...nodeArgs, this.main(name)], {
      env: serviceEnv(env),
    });
    const stop = this.cleanup.add(title, () => child.stop(30_000));
    const ready = child.waitForLine(/^ready$/, 30_000);
    // Awaited by whoever needs it; never an unhandled rejection when nobody does.
    ready.catch(() => undefined);
    return { child, spawnedAt, ready, stop };
  }
}
