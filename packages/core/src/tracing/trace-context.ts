import { TRACEPARENT_PATTERN, isTracestate } from '@hookline/api';
import { pooledRandomBytes } from '../random-pool';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as Hookline carries it: the
 * `traceparent` a publish came with is kept with its event and its deliveries' jobs, and every
 * attempt sends one of its own whose trace id is the publisher's (README, "Tracing").
 */

export interface TraceParent {
  traceId: string;
  spanId: string;
  flags: string;
}

const ALL_ZEROS = /^0+$/;

/** The parts of a version-00 `traceparent`, or undefined when it is not one (W3C §3.2). */
export function parseTraceparent(text: string | null | undefined): TraceParent | undefined {
  const match = text ? TRACEPARENT_PATTERN.exec(text.trim()) : null;
  if (!match) return undefined;
  const [, traceId = '', spanId = '', flags = ''] = match;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

export function formatTraceparent({ traceId, spanId, flags }: TraceParent): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** A request's trace context, each part kept only when valid (an invalid one is ignored, W3C §3.2). */
export function inboundTrace(
  traceparent: string | undefined,
  tracestate: string | undefined,
): { traceparent: string | null; tracestate: string | null } {
  const parent = parseTraceparent(traceparent);
  if (!parent) return { traceparent: null, tracestate: null };
  return {
    traceparent: formatTraceparent(parent),
    tracestate: tracestate !== undefined && isTracestate(tracestate) ? tracestate.trim() : null,
  };
}

export const randomSpanId = () => pooledRandomBytes(8).toString('hex');
export const randomTraceId = () => pooledRandomBytes(16).toString('hex');
