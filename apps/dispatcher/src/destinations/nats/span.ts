import { SpanKind } from '@opentelemetry/api';
import { serverUrls, type StoredEndpoint } from '@hookline/core';
import type { SpanShape } from '../destination';
import { parseServerUrl } from './server-url';

/** An endpoint's span shape, made once per URL and subject: every attempt to it repeats it. */
const shapes = new Map<string, SpanShape>();

/**
 * A publish's producer span (OpenTelemetry's messaging semantic conventions). Its name and
 * destination are the subject as configured, `{event}` and all: the conventions ask for a name of
 * low cardinality, and the subject with the event's name in it is one per event type.
 */
export function natsSpan(endpoint: StoredEndpoint): SpanShape {
  const subject = endpoint.subject ?? '';
  const key = `${endpoint.url}\n${subject}`;
  let shape = shapes.get(key);
  if (!shape) {
    // `url` is the display form: no credentials. The first server stands for the list.
    const server = parseServerUrl(serverUrls(endpoint.url)[0]!);
    shape = {
      name: `publish ${subject}`,
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': subject,
        'server.address': server.host,
        'server.port': server.port,
      },
    };
    // Bounded: a process that sees many endpoints forgets the oldest first.
    if (shapes.size >= 1024) shapes.delete(shapes.keys().next().value!);
    shapes.set(key, shape);
  }
  return shape;
}
