import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { SpanShape } from '../destination';

/** An endpoint URL's span shape, made once per URL: every attempt to it repeats it. */
const shapes = new Map<string, SpanShape>();

/** The HTTP client span of an attempt (OpenTelemetry's HTTP semantic conventions). */
export function httpSpan(text: string): SpanShape {
  let shape = shapes.get(text);
  if (!shape) {
    const url = new URL(text);
    const attributes: Attributes = {
      'http.request.method': 'POST',
      // The query is left out: it may carry a receiver's token.
      'url.full': `${url.origin}${url.pathname}`,
      'server.address': url.hostname,
      'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    };
    shape = { name: 'POST', kind: SpanKind.CLIENT, attributes };
    // Bounded: a process that sees many endpoints forgets the oldest first.
    if (shapes.size >= 1024) shapes.delete(shapes.keys().next().value!);
    shapes.set(text, shape);
  }
  return shape;
}
