import { Writable } from 'node:stream';
import type { trace } from '@opentelemetry/api';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../logger';

const manager = new AsyncLocalStorageContextManager().enable();
beforeAll(() => context.setGlobalContextManager(manager));
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

test('a line logged inside a span carries its trace_id and span_id; one outside carries none', async () => {
  const { lines, logger } = capture();
  const tracer = new BasicTracerProvider().getTracer('test');
  logger.info('before');
  await tracer.startActiveSpan('work', async (span) => {
    await Promise.resolve();
    logger.info('inside');
    span.end();
  });
  logger.info('after');
  const { traceId, spanId } = (await new Promise<ReturnType<typeof trace.getActiveSpan>>(
    (resolve) =>
      tracer.startActiveSpan('second', (span) => {
        logger.info('second');
        span.end();
        resolve(span);
      }),
  ))!.spanContext();
  expect(lines.map((l) => [l.msg, l.trace_id, l.span_id])).toEqual([
    ['before', undefined, undefined],
    ['inside', expect.stringMatching(/^[0-9a-f]{32}$/), expect.stringMatching(/^[0-9a-f]{16}$/)],
    ['after', undefined, undefined],
    ['second', traceId, spanId],
  ]);
});
