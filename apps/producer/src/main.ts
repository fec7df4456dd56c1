import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import {
  ConfigError,
  createContext,
  createLogger,
  createMetrics,
  encryptionKeysAtStart,
  loadConfig,
  metricSources,
  startTracing,
  type Config,
} from '@hookline/core';
import { createApp } from './app';

/** How long in-flight requests get to finish after SIGTERM before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

function exitWith(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
}

/** The sealing keys (keys-at-start.ts); a missing one in production stops the process. */
function encryptionKeys(config: Config): Buffer[] {
  try {
    const { encryptionKeys: keys, notice } = encryptionKeysAtStart(config);
    if (notice) process.stdout.write(`${notice}\n`);
    return keys;
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
}

/** The configured keys, or outside production one generated for this run (printed once). */
function apiKeys(config: Config): string[] {
  if (config.apiKeys.length > 0) return config.apiKeys;
  if (config.production)
    exitWith('HOOKLINE_API_KEYS: must be set when NODE_ENV=production (comma-separated API keys)');
  const key = randomBytes(24).toString('base64url');
  process.stdout.write(`HOOKLINE_API_KEYS is not set: generated an API key for this run: ${key}\n`);
  return [key];
}

async function main(): Promise<void> {
  const loaded = readConfig();
  const config = {
    ...loaded,
    apiKeys: apiKeys(loaded),
    encryptionKeys: encryptionKeys(loaded),
  };
  const logger = createLogger(config.logLevel, 'producer');
  const context = createContext(config, 'api');
  const metrics = createMetrics(metricSources(context));
  const tracing = await startTracing('hookline-producer');
  if (tracing.enabled) logger.info('tracing: exporting spans over OTLP (OTEL_* variables)');
  const server = createServer(
    createApp({ context, config, metrics, logger, tracing: tracing.enabled }),
  );
  let stopping = false;

  server.on('error', (error) =>
    exitWith(`cannot listen on ${config.host}:${config.port}: ${error.message}`),
  );
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    process.stdout.write(`Hookline producer listening on ${url}\n`);
    context
      .ready()
      .catch(() => logger.warn('Redis does not answer yet: requests get 503 until it does'));
    void migrateLog();
  });

  // The log's schema, brought up to date at start (the dispatchers do the same; concurrent
  // migrations wait for each other). Until the log answers, its lists and searches answer 503.
  const migrateLog = async () => {
    while (!stopping) {
      try {
        await context.log.migrate();
        return;
      } catch (err) {
        logger.warn({ err }, 'the log (HOOKLINE_LOG_URL) does not answer yet; trying again');
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight requests');
    // close() stops accepting and waits for every connection to end. It closes the idle
    // keep-alive ones once; a busy one would then stay open after its response until the
    // keep-alive timeout (5 s), so idle ones are closed again as they appear.
    setInterval(() => server.closeIdleConnections(), 50).unref();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      void context
        .close()
        .then(() => tracing.shutdown())
        .finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
