import {
  ConfigError,
  createLogger,
  encryptionKeysAtStart,
  loadConfig,
  startTracing,
} from '@hookline/core';
import { createDispatcher } from './dispatcher';
import { createMetricsServer } from './metrics-server';

async function main(): Promise<void> {
  let config;
  let notice;
  try {
    const loaded = loadConfig();
    const sealing = encryptionKeysAtStart(loaded);
    config = { ...loaded, encryptionKeys: sealing.encryptionKeys };
    notice = sealing.notice;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`hookline dispatcher: bad configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, 'dispatcher');
  if (notice) logger.info(notice);
  const tracing = await startTracing('hookline-dispatcher');
  if (tracing.enabled) logger.info('tracing: exporting spans over OTLP (OTEL_* variables)');
  const dispatcher = createDispatcher({ config, logger, tracing: tracing.enabled });
  let stopping = false;
  const server = createMetricsServer(dispatcher.metrics.registry, () => !stopping);
  server.listen(config.metricsPort, () => {
    logger.info(
      { metricsPort: config.metricsPort, concurrency: config.concurrency },
      'dispatcher started',
    );
  });
  dispatcher.start();

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new deliveries, finishing those in flight');
    dispatcher
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => {
          server.close();
          logger.info('dispatcher stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'dispatcher did not stop cleanly');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
