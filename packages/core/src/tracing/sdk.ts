import { SynchronousContextManager } from './synchronous-context';

/**
 * Starts the OpenTelemetry SDK when the standard variables ask for an exporter
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; README, "Tracing"),
 * and nothing otherwise: the SDK is loaded only then, so a default start pays neither its memory
 * nor its start-up. Everything else (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, headers, `OTEL_RESOURCE_ATTRIBUTES`, …) the SDK reads itself.
 * Traces only: metrics stay Prometheus's, logs pino's.
 */
export interface Tracing {
  enabled: boolean;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

/** Whether the environment asks for traces to be exported. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.split(',').some((e) => e.trim() === 'none')) return false;
  return set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** `service`: the service name unless `OTEL_SERVICE_NAME` names another. */
export async function startTracing(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing> {
  if (!tracingRequested(env)) return { enabled: false, shutdown: () => Promise.resolve() };
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    contextManager: new SynchronousContextManager(),
    ...(set(env.OTEL_SERVICE_NAME) ? {} : { serviceName: service }),
    // Hookline makes its own spans (README, "Tracing"): no auto-instrumentation, and no metric or
    // log exporters started from the environment behind its back.
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
