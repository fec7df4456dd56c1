import { z } from 'zod';
import { parseDuration } from './duration';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, type RetrySchedule } from './retry-schedule';
import { parseEncryptionKeys } from './sealing/encryption-keys';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a duration like 30s, 5m, 24h, 7d (got "${text}")`,
        });
        return z.NEVER;
      }
      return ms;
    });

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const value = Number(text);
      if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be an integer from ${min} to ${max} (got "${text}")`,
        });
        return z.NEVER;
      }
      return value;
    });

const boolean = z
  .string()
  .default('false')
  .transform((text, ctx) => {
    const value = text.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no', ''].includes(value)) return false;
    ctx.addIssue({ code: 'custom', message: `must be true or false (got "${text}")` });
    return z.NEVER;
  });

/** What a trace link template (`HOOKLINE_TRACE_URL`) has in place of the trace id. */
export const TRACE_ID_PLACEHOLDER = '{trace_id}';

/** Whether `template`, its placeholder filled in, is an absolute http(s) URL with a host. */
function isTraceUrlTemplate(template: string): boolean {
  if (!template.includes(TRACE_ID_PLACEHOLDER)) return false;
  try {
    const url = new URL(template.replaceAll(TRACE_ID_PLACEHOLDER, '0'.repeat(32)));
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The environment, as the README's settings table names it. Nothing else in Hookline reads
 * `process.env`: each process parses it once at start with {@link loadConfig}.
 */
export const Env = z.object({
  /**
   * Redis 6.2+; `rediss://` for TLS. Default `redis://127.0.0.1:6379`. With `REDIS_CLUSTER`, a
   * comma-separated list of seed nodes.
   */
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine(
      (text) => text.split(',').every((url) => /^rediss?:\/\/[^\s,]+$/.test(url.trim())),
      'must be a redis:// or rediss:// URL (with REDIS_CLUSTER: a comma-separated list of them)',
    ),
  /** `true`: `REDIS_URL` names seed nodes of a Redis Cluster. */
  REDIS_CLUSTER: boolean,
  /** How many shards (Cluster hash tags) keys and queues spread over (shards.ts). */
  HOOKLINE_SHARDS: integer(1, 1, 1024),
  /**
   * The namespace of every key and queue. Hookline adds the hash tags itself (`{hookline}` for
   * the catalog, `{hookline:<shard>}` for each shard: keys.ts), so the prefix holds no braces.
   */
  HOOKLINE_QUEUE_PREFIX: z
    .string()
    .default('hookline')
    .refine(
      (p) => /^[^\s:{}]{1,64}$/.test(p),
      'must be 1-64 characters without spaces, colons or braces',
    ),
  PORT: integer(3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Comma-separated API keys. Unset outside production: a random key is generated at start. */
  HOOKLINE_API_KEYS: z
    .string()
    .optional()
    .transform(
      (text) =>
        text
          ?.split(',')
          .map((key) => key.trim())
          .filter(Boolean) ?? [],
    )
    .refine(
      (keys) => keys.every((key) => key.length >= 16),
      'every key must be at least 16 characters',
    ),
  NODE_ENV: z.string().default('development'),
  HOOKLINE_ALLOW_INSECURE_URLS: boolean,
  HOOKLINE_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE)
    .transform((text, ctx): RetrySchedule => {
      try {
        return parseRetrySchedule(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  HOOKLINE_CONCURRENCY: integer(100, 1, 10_000),
  METRICS_PORT: integer(9464, 0, 65535),
  HOOKLINE_SECRET_ROTATION_GRACE: duration('24h'),
  HOOKLINE_DISABLE_AFTER: duration('5d'),
  /** How long the log keeps events, deliveries and their attempts (whole daily partitions are dropped). */
  HOOKLINE_RETENTION: duration('30d'),
  /**
   * The log of events, deliveries and attempts: a `postgres://` URL. Its database is created at
   * start when the server answers and it does not exist yet.
   */
  HOOKLINE_LOG_URL: z
    .string()
    .default('postgres://postgres@127.0.0.1:5432/hookline')
    .refine(
      (text) => /^postgres(ql)?:\/\/\S+$/.test(text.trim()),
      'must be a postgres:// or postgresql:// URL',
    ),
  /**
   * A link template for the console: `{trace_id}` is replaced by an event's or a delivery's trace
   * id (`https://jaeger.example/trace/{trace_id}`). Unset or empty: the console shows trace ids as
   * text. It is written into the console's page, which needs no key: no secret belongs in it.
   */
  HOOKLINE_TRACE_URL: z
    .string()
    .optional()
    .transform((text) => text?.trim() || undefined)
    .refine(
      (text) => text === undefined || isTraceUrlTemplate(text),
      `must be an http:// or https:// URL with ${TRACE_ID_PLACEHOLDER} in it, e.g. https://jaeger.example/trace/${TRACE_ID_PLACEHOLDER}`,
    ),
  /**
   * Comma-separated base64 32-byte keys: the first seals every stored secret (AES-256-GCM), all
   * of them open. Unset outside production: a local key file (sealing/keys-at-start.ts).
   */
  HOOKLINE_ENCRYPTION_KEYS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const keys = parseEncryptionKeys(text);
      if (typeof keys === 'string') {
        ctx.addIssue({ code: 'custom', message: keys });
        return z.NEVER;
      }
      return keys;
    }),
  /**
   * The most endpoints one tenant may have, whoever creates them (README, "Tenant quotas").
   * Default `100`.
   */
  HOOKLINE_TENANT_MAX_ENDPOINTS: integer(100, 1, 1_000_000),
  /** Deliveries a tenant's keys may send again a minute (retries, recovers, replays). Default 60. */
  HOOKLINE_TENANT_RETRIES_PER_MINUTE: integer(60, 1, 1_000_000),
  /** Test sends a tenant's keys may make a minute. Default `10`. */
  HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE: integer(10, 1, 1_000_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every environment variable Hookline reads (the deployment manifests are checked against it). */
export const ENV_VARIABLES = Object.keys(Env.shape) as (keyof typeof Env.shape)[];

/** The typed configuration a process runs with: {@link Env} parsed and named for the code. */
const ConfigFromEnv = Env.transform((e) => ({
  redisUrl: e.REDIS_URL,
  redisCluster: e.REDIS_CLUSTER,
  shards: e.HOOKLINE_SHARDS,
  queuePrefix: e.HOOKLINE_QUEUE_PREFIX,
  port: e.PORT,
  host: e.HOST,
  apiKeys: e.HOOKLINE_API_KEYS,
  production: e.NODE_ENV === 'production',
  allowInsecureUrls: e.HOOKLINE_ALLOW_INSECURE_URLS,
  retrySchedule: e.HOOKLINE_RETRY_SCHEDULE,
  concurrency: e.HOOKLINE_CONCURRENCY,
  metricsPort: e.METRICS_PORT,
  secretRotationGraceMs: e.HOOKLINE_SECRET_ROTATION_GRACE,
  disableAfterMs: e.HOOKLINE_DISABLE_AFTER,
  retentionMs: e.HOOKLINE_RETENTION,
  logUrl: e.HOOKLINE_LOG_URL.trim(),
  traceUrl: e.HOOKLINE_TRACE_URL,
  encryptionKeys: e.HOOKLINE_ENCRYPTION_KEYS,
  logLevel: e.LOG_LEVEL,
  tenantQuotas: {
    maxEndpoints: e.HOOKLINE_TENANT_MAX_ENDPOINTS,
    retriesPerMinute: e.HOOKLINE_TENANT_RETRIES_PER_MINUTE,
    testSendsPerMinute: e.HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE,
  },
}));
export type Config = z.output<typeof ConfigFromEnv>;

/** A bad setting: its message is one line that names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    ENV_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]),
  );
  const parsed = ConfigFromEnv.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
