import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  trace,
  type Context,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HOOKLINE_VERSION } from '../version';
import { formatTraceparent } from './trace-context';

/** Hookline's tracer: a no-op until the SDK is started (sdk.ts). */
export function tracer(): Tracer {
  return trace.getTracer('hookline', HOOKLINE_VERSION);
}

// Stored contexts are read with the W3C propagator itself, not the global one: the global
// propagator is a no-op while tracing is off, and a stored traceparent must still be followed.
const w3c = new W3CTraceContextPropagator();

/** A context whose remote parent is a stored `traceparent` (and `tracestate`). */
export function storedContext(traceparent: string, tracestate?: string | null): Context {
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier.tracestate = tracestate;
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/** `traceparent` naming a span as the parent of what follows it. */
export function traceparentOf(span: SpanContext): string {
  return formatTraceparent({
    traceId: span.traceId,
    spanId: span.spanId,
    flags: (span.traceFlags & 0xff).toString(16).padStart(2, '0'),
  });
}
