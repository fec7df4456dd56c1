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
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import type { AttemptOutcome } from './http-sender';

/** One attempt as a span of its event's trace, and the trace context its request carries. */
export interface AttemptTrace {
  /** The attempt request's `traceparent`: the publisher's trace id, this attempt as the parent. */
  headers: { traceparent: string; tracestate?: string };
  end(outcome: AttemptOutcome): void;
}

export interface AttemptSpanInput {
  delivery: DeliveryState;
  url: string;
  /** This attempt's number (`Webhook-Attempt`). */
  attempt: number;
  /** How long the delivery waited in the queue since it was due (ms). */
  waitedMs: number;
}

/** An endpoint URL's span attributes, parsed once per URL: every attempt to it repeats them. */
const urlAttributesCache = new Map<string, Attributes>();
function urlAttributes(text: string): Attributes {
  let attributes = urlAttributesCache.get(text);
  if (!attributes) {
    const url = new URL(text);
    attributes = {
      'http.request.method': 'POST',
      // The query is left out: it may carry a receiver's token.
      'url.full': `${url.origin}${url.pathname}`,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    };
    // Bounded: a process that sees many endpoints forgets the oldest first.
    if (urlAttributesCache.size >= 1024)
      urlAttributesCache.delete(urlAttributesCache.keys().next().value!);
    urlAttributesCache.set(text, attributes);
  }
  return attributes;
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
  const span = tracer().startSpan(
    'POST',
    {
      kind: SpanKind.CLIENT,
      ...(replay && published ? { links: [{ context: published }] } : {}),
      attributes: {
        ...urlAttributes(input.url),
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
    end(outcome) {
      const attributes: Attributes = { 'hookline.outcome': outcome.kind };
      if ('status' in outcome) attributes['http.response.status_code'] = outcome.status;
      if (outcome.kind !== 'success') {
        attributes['error.type'] = 'status' in outcome ? String(outcome.status) : outcome.kind;
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: 'message' in outcome ? outcome.message : `HTTP ${outcome.status}`,
        });
      }
      span.setAttributes(attributes);
      span.end();
    },
  };
}
