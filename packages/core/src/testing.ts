import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobType } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import type { Queues } from './queues';

// Helpers for Hookline's own tests. They talk to real Redis and real sockets, never mocks.
//
// The suite runs against the Redis on 127.0.0.1:6379 with one shard unless the environment says
// otherwise: `.ci/run` runs the integration tests again against a local Redis Cluster with
// HOOKLINE_TEST_REDIS_URL (its seed nodes), HOOKLINE_TEST_REDIS_CLUSTER=true and
// HOOKLINE_TEST_SHARDS=12 (README, "Tests").

export const TEST_REDIS_URL = process.env.HOOKLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_REDIS_CLUSTER = process.env.HOOKLINE_TEST_REDIS_CLUSTER === 'true';
export const TEST_SHARDS = Number(process.env.HOOKLINE_TEST_SHARDS ?? '1');

/**
 * The key the suite seals endpoint secrets under (HOOKLINE_ENCRYPTION_KEYS): one and the same in
 * every test process and every process a test starts, so that each opens what another sealed.
 * Made from a fixed text: a test key, no secret.
 */
export const TEST_ENCRYPTION_KEY = createHash('sha256')
  .update('hookline test sealing key')
  .digest();

/**
 * What a context under test needs to read Hookline's Redis: its settings, and the key the
 * secrets in it are sealed under. To spread into its config.
 */
export const TEST_REDIS = {
  redisUrl: TEST_REDIS_URL,
  redisCluster: TEST_REDIS_CLUSTER,
  shards: TEST_SHARDS,
  encryptionKeys: [TEST_ENCRYPTION_KEY] as Buffer[],
} as const;

/** The same, as the environment of a Hookline process under test. */
export const TEST_REDIS_ENV = {
  REDIS_URL: TEST_REDIS_URL,
  REDIS_CLUSTER: String(TEST_REDIS_CLUSTER),
  HOOKLINE_SHARDS: String(TEST_SHARDS),
  HOOKLINE_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY.toString('base64'),
} as const;

/** A queue/key prefix of its own for one test file. */
export function testPrefix(label = 'test'): string {
  return `hl-${label}-${randomBytes(4).toString('hex')}`;
}

/**
 * Runs `run` on a plain connection to the Redis at `url`, or, when `url` is the suite's Redis
 * Cluster, on one to each of its masters.
 */
async function eachMaster<T>(url: string, run: (redis: Redis) => Promise<T>): Promise<T[]> {
  if (!TEST_REDIS_CLUSTER || url !== TEST_REDIS_URL) {
    const redis = new Redis(url.split(',')[0]!, { lazyConnect: true });
    await redis.connect();
    try {
      return [await run(redis)];
    } finally {
      redis.disconnect();
    }
  }
  const cluster = new Cluster(
    url.split(',').map((u) => {
      const parsed = new URL(u.trim());
      return { host: parsed.hostname, port: Number(parsed.port || 6379) };
    }),
    { lazyConnect: true },
  );
  cluster.on('error', () => undefined);
  await cluster.connect();
  try {
    return await Promise.all(cluster.nodes('master').map(run));
  } finally {
    cluster.disconnect();
  }
}

/** The keys under `prefix` (BullMQ's and Hookline's: `{prefix}…` and `{prefix:<shard>}…`) on one node. */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const escaped = prefix.replace(/[[\]*?\\]/g, '\\$&');
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${escaped}[}:]*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Every key under `prefix`, on every node. */
export async function keysOfPrefix(prefix: string, url = TEST_REDIS_URL): Promise<string[]> {
  return (await eachMaster(url, (redis) => keysUnder(redis, prefix))).flat();
}

/** Deletes every key under `prefix` (BullMQ's and Hookline's). */
export async function cleanupPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  await eachMaster(url, async (redis) => {
    const keys = await keysUnder(redis, prefix);
    // One key per UNLINK: on a cluster node, keys of several slots cannot go in one command.
    await Promise.all(keys.map((key) => redis.unlink(key)));
  });
}

/** Resolves when `condition` returns a truthy value; rejects after `timeoutMs` with `message`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of a test's own, on a spare port, that the test may stop and restart. */
export class TestRedisServer {
  private process: ChildProcess | undefined;
  /** Its working directory (`dir`): where its RDB and AOF files are. */
  readonly dir = mkdtempSync(path.join(tmpdir(), 'hookline-redis-'));
  constructor(
    readonly port: number,
    private readonly args: string[] = ['--save', '', '--appendonly', 'no'],
  ) {}

  static async start(args?: string[]): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), args);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...this.args],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      async () => {
        const probe = new Redis(this.url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
          disconnectTimeout: 0,
        });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      },
      { timeoutMs: 10_000, message: `redis-server on port ${this.port}` },
    );
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The number of jobs in these states in every shard's queue of a kind (and, for `operational`,
 * the catalog's): what a test waits on when it does not care which shard holds a job.
 */
export async function countJobs(
  queues: Queues,
  kind: 'deliveries' | 'fanout' | 'operational',
  ...states: JobType[]
): Promise<number> {
  const counts = await Promise.all(
    queues
      .all()
      .filter(({ name }) => name === kind)
      .map(({ queue }) => queue.getJobCountByTypes(...states)),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
