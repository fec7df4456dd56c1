import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../logger';
import { SynchronousContextManager } from './synchronous-context';

// The context manager Hookline starts the SDK with (sdk.ts).
beforeAll(() => context.setGlobalContextManager(new SynchronousContextManager()));
afterAll(() => context.disable());

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', 'test', stream) };
}

test('a line logged while a span is active carries its trace_id and span_id; one outside carries none', () => {
  const { lines, logger } = capture();
  const tracer = new BasicTracerProvider().getTracer('test');
  logger.info('before');
  const span = tracer.startSpan('work');
  context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
  span.end();
  logger.info('after');
  const { traceId, spanId } = span.spanContext();
  expect(lines.map((l) => [l.msg, l.trace_id, l.span_id])).toEqual([
    ['before', undefined, undefined],
    ['inside', traceId, spanId],
    ['after', undefined, undefined],
  ]);
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(spanId).toMatch(/^[0-9a-f]{16}$/);
});
