import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

/** The active span's ids on every line logged inside it (none while tracing is off). */
function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/**
 * A pino logger that never prints a secret: anything named secret, key, authorization, auth,
 * client_secret or access_token is redacted wherever it appears in a logged object. Lines logged
 * inside a span carry its `trace_id` and `span_id`.
 */
export function createLogger(
  level: string,
  name: string,
  /** Where lines go; standard output by default. */
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    mixin: traceIds,
    redact: {
      paths: [
        'secret',
        'secrets',
        'key',
        '*.secret',
        '*.secrets',
        '*.key',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'apiKeys',
        '*.apiKeys',
        // An endpoint's auth (its client secret and client-certificate key), wherever it is.
        'auth',
        '*.auth',
        'client_secret',
        '*.client_secret',
        'access_token',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
