import { inboundTrace, parseTraceparent } from './trace-context';
import { tracingRequested } from './sdk';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test.each([
  [
    PARENT,
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
  ],
  ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', undefined],
  ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', undefined],
  ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', undefined],
  ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', undefined],
  ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7', undefined],
  ['', undefined],
])('traceparent %j', (text, parts) => {
  expect(parseTraceparent(text)).toEqual(parts);
});

test('a request keeps its trace headers only when valid; tracestate only beside a valid parent', () => {
  expect(inboundTrace(PARENT, 'a=1,b@v=2')).toEqual({
    traceparent: PARENT,
    tracestate: 'a=1,b@v=2',
  });
  expect(inboundTrace(PARENT, 'not a state')).toEqual({ traceparent: PARENT, tracestate: null });
  expect(inboundTrace(PARENT, 'x=1'.padEnd(600, '1'))).toEqual({
    traceparent: PARENT,
    tracestate: null,
  });
  expect(inboundTrace('garbage', 'a=1')).toEqual({ traceparent: null, tracestate: null });
  expect(inboundTrace(undefined, undefined)).toEqual({ traceparent: null, tracestate: null });
});

test('tracing is on only when an OTLP endpoint is named, and OTEL_SDK_DISABLED or a "none" exporter turn it off', () => {
  expect(tracingRequested({})).toBe(false);
  expect(tracingRequested({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
  expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
  expect(
    tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }),
  ).toBe(true);
  expect(
    tracingRequested({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_SDK_DISABLED: 'TRUE',
    }),
  ).toBe(false);
  expect(
    tracingRequested({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_TRACES_EXPORTER: 'none',
    }),
  ).toBe(false);
});
