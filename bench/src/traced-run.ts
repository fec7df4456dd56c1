import type { CaseContext } from './case';
import type { HooklineLauncher } from './hookline';
import { OtlpSink } from './otlp-sink-client';
import type { TracingFigures } from './results';

/**
 * Runs a Hookline case with tracing on: `run` gets a launcher whose processes export every span
 * (`OTEL_TRACES_SAMPLER=always_on`, the service names left at Hookline's defaults) over
 * OTLP/HTTP protobuf, the SDK's default, to a sink process of this case's own. The sink is read
 * once `run` has returned: Hookline's processes flush what they buffered when they stop, so a
 * case must have stopped them by then.
 *
 * Throws when `service` sent no spans: with the SDK not loaded, the traced figure would be the
 * untraced one and pass its target for nothing.
 */
export async function withTracing<T>(
  { redis, hookline, cleanup }: Pick<CaseContext, 'redis' | 'hookline' | 'cleanup'>,
  run: (traced: HooklineLauncher) => Promise<T>,
  {
    service,
    per,
    units,
  }: {
    service: string;
    per: TracingFigures['per'];
    /** How many deliveries or publish requests `run` made. */
    units: (result: T) => number;
  },
): Promise<{ result: T; tracing: TracingFigures }> {
  const sink = await OtlpSink.start();
  const stopSink = cleanup.add('OTLP sink', () => sink.stop());
  try {
    const cpuBefore = sink.cpuMs();
    const result = await run(
      hookline.on(redis.url, {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
        OTEL_TRACES_SAMPLER: 'always_on',
      }),
    );
    const stats = await sink.stats();
    const cpuAfter = sink.cpuMs();
    const sent = stats.services[service] ?? { requests: 0, bytes: 0, spans: 0 };
    if (sent.spans === 0)
      throw new Error(
        `tracing on, but the OTLP sink received no spans from ${service} ` +
          `(${stats.requests} export requests in all, ${stats.refused} refused)`,
      );
    const n = units(result);
    return {
      result,
      tracing: {
        service,
        sent,
        per,
        units: n,
        spansPerUnit: sent.spans / n,
        sink: stats,
        sinkCpuMs: cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore,
      },
    };
  } finally {
    await stopSink();
  }
}
