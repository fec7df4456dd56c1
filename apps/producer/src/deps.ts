import type { Config, HooklineContext, Logger, Metrics } from '@hookline/core';

/** What {@link createApp} is built from. Nothing here listens or handles signals: `main.ts` does. */
export interface AppDeps {
  context: HooklineContext;
  config: Pick<Config, 'apiKeys' | 'allowInsecureUrls' | 'secretRotationGraceMs' | 'tenantQuotas'> &
    Partial<Pick<Config, 'traceUrl'>>;
  metrics: Metrics;
  logger: Logger;
  /** The clock for ids, timestamps and secret grace periods. Default `Date.now`. */
  now?: () => number;
  /** Whether the OpenTelemetry SDK runs (core's `startTracing`): then each request is a span. */
  tracing?: boolean;
}

/** What every route module gets: the app's dependencies with the clock resolved. */
export type RouteDeps = Required<AppDeps>;
