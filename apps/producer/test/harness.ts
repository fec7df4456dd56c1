import { ErrorCode, type Attempt } from '@hookline/api';
import {
  createContext,
  createLogger,
  createMetrics,
  loadConfig,
  metricSources,
  type Config,
  type HooklineContext,
  type Metrics,
} from '@hookline/core';
import { cleanupPrefix, keysOfPrefix, testPrefix, TEST_REDIS_ENV } from '@hookline/core/testing';
import {
  createTestLog,
  moveInFlight,
  startTestLogWriter,
  untilLogged,
} from '@hookline/core/testing-log';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../src/app';

export const API_KEY = 'k'.repeat(32);
export const AUTH = { Authorization: `Bearer ${API_KEY}` };

export interface Harness {
  prefix: string;
  config: Config;
  context: HooklineContext;
  metrics: Metrics;
  app: Express;
  /** Authenticated requests to the app. */
  api: {
    get(path: string): request.Test;
    post(path: string, body?: unknown): request.Test;
    patch(path: string, body?: unknown): request.Test;
    put(path: string, body?: unknown): request.Test;
    delete(path: string): request.Test;
  };
  /** Resolves once every change so far is in the log: lists and counts then show it. */
  logged(): Promise<void>;
  /**
   * Moves a delivery as a dispatcher's attempt would. One that settles (delivered or dead) then
   * loses its job once the log holds it, as the log writer forgets a finished job; a failed one
   * keeps its job, where it waits for its next attempt.
   */
  settle(id: string, to: 'failed' | 'delivered' | 'dead', attempt?: Attempt): Promise<void>;
  /**
   * Every key under the prefix once the log has every change so far: the log writer deletes what
   * it has logged (stream entries, the marks of unlogged events), so only then do keys hold still.
   */
  settledKeys(): Promise<string[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  insecure?: boolean;
  redisUrl?: string;
  now?: () => number;
  /** Whether a log writer runs beside the app (default true); without one nothing is logged. */
  logWriter?: boolean;
  /** More settings, as environment variables (`HOOKLINE_TENANT_MAX_ENDPOINTS: '3'`). */
  env?: Record<string, string>;
}

/** The app on a prefix of its own against real Redis; `close()` cleans the prefix up. */
export async function startApp(label: string, options: HarnessOptions = {}): Promise<Harness> {
  const prefix = testPrefix(label);
  // A Redis of the test's own (one it stops and restarts), else the suite's (maybe a cluster).
  const redis = options.redisUrl
    ? {
        REDIS_URL: options.redisUrl,
        HOOKLINE_ENCRYPTION_KEYS: TEST_REDIS_ENV.HOOKLINE_ENCRYPTION_KEYS,
      }
    : TEST_REDIS_ENV;
  // A log of the test's own, written by a log writer beside the app, as a dispatcher would.
  const log = await createTestLog(label);
  const config = loadConfig({
    ...redis,
    HOOKLINE_API_KEYS: API_KEY,
    HOOKLINE_QUEUE_PREFIX: prefix,
    HOOKLINE_ALLOW_INSECURE_URLS: String(options.insecure ?? true),
    HOOKLINE_LOG_URL: log.url,
    ...options.env,
  });
  const context = createContext(config, 'api');
  await context.ready();
  await context.log.migrate();
  const writer = options.logWriter === false ? undefined : startTestLogWriter(context);
  const metrics = createMetrics(metricSources(context));
  const app = createApp({
    context,
    config,
    metrics,
    logger: createLogger('silent', 'producer-test'),
    ...(options.now ? { now: options.now } : {}),
  });
  const api = {
    get: (path: string) => request(app).get(path).set(AUTH),
    post: (path: string, body?: unknown) =>
      request(app)
        .post(path)
        .set(AUTH)
        .send(body as object),
    patch: (path: string, body?: unknown) =>
      request(app)
        .patch(path)
        .set(AUTH)
        .send(body as object),
    put: (path: string, body?: unknown) =>
      request(app)
        .put(path)
        .set(AUTH)
        .send(body as object),
    delete: (path: string) => request(app).delete(path).set(AUTH),
  };
  return {
    prefix,
    config,
    context,
    metrics,
    app,
    api,
    logged: () => untilLogged(context),
    async settle(id, to, attempt) {
      expect(await moveInFlight(context, id, to, { attempt })).toBe('ok');
      if (to === 'failed') return;
      await untilLogged(context);
      await context.queues.of(id).deliveries.remove(id);
    },
    async settledKeys() {
      await untilLogged(context);
      return keysUnder(prefix);
    },
    async close() {
      await writer?.close();
      await context.close();
      await cleanupPrefix(prefix, redis.REDIS_URL);
      await log.drop();
    },
  };
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** An unauthenticated request to the app with a method chosen at run time. */
export function call(app: Express, method: Method, path: string): request.Test {
  const agent = request(app);
  return agent[method](path);
}

/** Every key under a prefix (SCAN, not KEYS), on every node. */
export async function keysUnder(prefix: string): Promise<string[]> {
  // Less BullMQ's queue meta keys: each queue writes its own once its connection is ready, at a
  // moment of its own (on a Redis Cluster, after a test's first snapshot), whatever requests do.
  // Less the front lane's counters (keys.ts `frontLane`), which expire a second after a publish
  // whatever requests do.
  return (await keysOfPrefix(prefix))
    .filter((key) => !key.endsWith(':meta') && !/[:/]fl$/.test(key))
    .sort();
}

/** The API's error shape (docs/api.md, "Errors"), with a given code. */
export function expectError(body: unknown, code: string): void {
  expect(body).toEqual({
    error: {
      code,
      message: expect.any(String) as string,
      details: expect.any(Array) as unknown[],
    },
  });
  const details = (body as { error: { details: unknown[] } }).error.details;
  for (const detail of details)
    expect(detail).toEqual({
      path: expect.any(String) as string,
      message: expect.any(String) as string,
    });
}

export const ERROR_CODES: readonly string[] = ErrorCode.options;

/** A 4xx in the API's error shape, whatever its code. */
export function expectClientError(res: { status: number; body: unknown }): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expectError(res.body, (res.body as { error?: { code?: string } }).error?.code ?? 'missing');
  expect(ERROR_CODES).toContain((res.body as { error: { code: string } }).error.code);
}

/** A valid endpoint body. */
export const endpointBody = (overrides: Record<string, unknown> = {}) => ({
  url: 'https://example.com/hooks',
  ...overrides,
});
