import {
  randomSpanId,
  randomTraceId,
  storedContext,
  traceparentOf,
  tracer,
  parseTraceparent,
  formatTraceparent,
  type DeliveryState,
} from '@hookline/core';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { AttemptResult, SpanShape } from './destinations/destination';

/** One attempt as a span of its event's trace, and the trace context its message carries. */
export interface AttemptTrace {
  /** The attempt's `traceparent`: the publisher's trace id, this attempt as the parent. */
  headers: { traceparent: string; tracestate?: string };
  end(result: Pick<AttemptResult, 'result' | 'message' | 'spanAttributes'>): void;
}

export interface AttemptSpanInput {
  delivery: DeliveryState;
  /** The span's name, kind and attributes, from its destination; asked only while tracing. */
  shape: () => SpanShape;
  /** This attempt's number (`Webhook-Attempt`). */
  attempt: number;
  /** How long the delivery waited in the queue since it was due (ms). */
  waitedMs: number;
}

/**
 * A replay or a recovery starts a cycle after the publish's trace has ended: its attempts are a
 * trace of their own, linked to the publish (OpenTelemetry: a link where a parent is not right).
 */
const isReplay = (delivery: DeliveryState) => delivery.cycle > 0;

/**
 * Starts an attempt's span: a child of the publish's context kept with the delivery (a root
 * linked to it for a replay; a root of its own for a test send, which keeps none). While tracing
 * is off no span is made, and the request still carries a `traceparent` of the publisher's trace
 * with a fresh parent id, so a receiver's own spans join the publisher's trace either way.
 */
export function startAttemptSpan(input: AttemptSpanInput, tracing: boolean): AttemptTrace {
  const { delivery } = input;
  const tracestate = delivery.data.tracestate ?? undefined;
  if (!tracing) {
    const parent = isReplay(delivery) ? undefined : parseTraceparent(delivery.data.traceparent);
    const traceparent = formatTraceparent({
      traceId: parent?.traceId ?? randomTraceId(),
      spanId: randomSpanId(),
      flags: parent?.flags ?? '00',
    });
    return {
      headers: parent && tracestate ? { traceparent, tracestate } : { traceparent },
      end: () => undefined,
    };
  }
  const stored = delivery.data.traceparent
    ? storedContext(delivery.data.traceparent, tracestate)
    : undefined;
  const published = stored && trace.getSpanContext(stored);
  const replay = isReplay(delivery);
  const shape = input.shape();
  const span = tracer().startSpan(
    shape.name,
    {
      kind: shape.kind,
      ...(replay && published ? { links: [{ context: published }] } : {}),
      attributes: {
        ...shape.attributes,
        'hookline.delivery.id': delivery.id,
        'hookline.endpoint.id': delivery.endpointId,
        'hookline.event.id': delivery.eventId,
        'hookline.attempt': input.attempt,
        'hookline.queue.wait_ms': input.waitedMs,
        ...(delivery.tenantId ? { 'hookline.tenant.id': delivery.tenantId } : {}),
      },
    },
    published && !replay ? stored : ROOT_CONTEXT,
  );
  const own = span.spanContext();
  const state = own.traceState?.serialize();
  return {
    headers: state
      ? { traceparent: traceparentOf(own), tracestate: state }
      : { traceparent: traceparentOf(own) },
    end(result) {
      const attributes: Attributes = {
        'hookline.outcome': result.result,
        ...result.spanAttributes,
      };
      if (result.result !== 'success')
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? result.result });
      span.setAttributes(attributes);
      span.end();
    },
  };
}
