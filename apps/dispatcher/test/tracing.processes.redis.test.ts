import { deliveryIdFor } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import {
  ROOT_CONTEXT,
  SpanKind,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type {
  IExportTraceServiceRequest,
  ISpan,
} from '@opentelemetry/otlp-transformer/build/src/trace/internal-types';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { ServicePair } from './services';

// A publisher traced with the OpenTelemetry SDK publishes inside a span; the built producer and
// dispatcher export their spans over OTLP/HTTP (JSON) to a collector of the test's own; a receiver
// traced with the SDK continues the trace from each attempt's `traceparent`. One trace, from the
// publisher's span to the receiver's, with every parent in between.

const KEY = 'tracing-processes-key-'.padEnd(40, 'x');
const w3c = new W3CTraceContextPropagator();

let h: Harness;
let services: ServicePair;
let collector: Receiver;
let receiver: Receiver;
const exported = new InMemorySpanExporter();
const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exported)] });
const tracer = sdk.getTracer('publisher-and-receiver');

/** The receiver: a span per request, the child of the request's `traceparent`. */
function receive(headers: Record<string, string | string[] | undefined>): void {
  const parent = w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  tracer.startSpan('handle webhook', { kind: SpanKind.SERVER }, parent).end();
}

beforeAll(async () => {
  collector = await Receiver.start((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
  );
  // Attempt 1 of every delivery fails (500), attempt 2 succeeds; at /dead every attempt fails.
  receiver = await Receiver.start((req, res) => {
    receive(req.headers);
    const fails = req.url === '/dead' || req.headers['webhook-attempt'] === '1';
    res.writeHead(fails ? 500 : 204).end();
  });
  h = await Harness.create();
  services = await ServicePair.start(h.config, KEY, {
    HOOKLINE_RETRY_SCHEDULE: '50ms',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_TRACES_SAMPLER: 'always_on',
  });
}, 60_000);
afterAll(async () => {
  await services?.stop();
  await Promise.all([collector?.close(), receiver?.close()]);
  await h?.close();
  await sdk.shutdown();
});

/** Every span the services exported so far, with the name of the service that made it. */
function exportedSpans(): (ISpan & { service: string })[] {
  return collector.received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body) as IExportTraceServiceRequest).resourceSpans ?? [])
    .flatMap((rs) => {
      const name = rs.resource?.attributes.find((a) => a.key === 'service.name');
      const service = name?.value.stringValue ?? '';
      return rs.scopeSpans.flatMap((ss) => (ss.spans ?? []).map((s) => ({ ...s, service })));
    });
}

function attribute(span: ISpan, key: string): unknown {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
}

/** `traceparent` (and `tracestate`) of a span of the publisher's, as headers. */
function headersOf(span: Span): Record<string, string> {
  const headers: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  return headers;
}

async function api(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(services.producer.url(path), {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const attemptsOf = (deliveryId: string) =>
  exportedSpans().filter((s) => attribute(s, 'hookline.delivery.id') === deliveryId);

test('one trace from the publisher to the receiver: request, publish, each attempt, and the receiver under it', async () => {
  const endpoint = await api('/v1/endpoints', { url: receiver.url('/one') });
  expect(endpoint.status).toBe(201);
  const endpointId = endpoint.body.id as string;

  const checkout = tracer.startSpan('checkout');
  const published = await api(
    '/v1/events',
    { name: 'order.paid', data: { n: 1 } },
    { ...headersOf(checkout), tracestate: 'shop=blue' },
  );
  checkout.end();
  expect(published.status).toBe(202);
  const deliveryId = deliveryIdFor(published.body.id as string, endpointId);
  const { traceId, spanId: checkoutId } = checkout.spanContext();

  await waitFor(() => attemptsOf(deliveryId).length === 2, {
    timeoutMs: 20_000,
    message: 'both attempts exported',
  });
  const spans = exportedSpans().filter((s) => s.traceId === traceId);

  const request = spans.find((s) => s.name === 'publishEvent');
  expect(request).toMatchObject({ service: 'hookline-producer', parentSpanId: checkoutId });
  expect(request?.kind).toBe(2); // SERVER
  expect(attribute(request!, 'http.route')).toBe('/v1/events');
  expect(attribute(request!, 'http.response.status_code')).toBe(202);
  expect(attribute(request!, 'http.request.method')).toBe('POST');
  expect(attribute(request!, 'url.path')).toBe('/v1/events');
  expect(attribute(request!, 'url.scheme')).toBe('http');

  const publish = spans.find((s) => s.name === 'publish');
  expect(publish).toMatchObject({ service: 'hookline-producer', parentSpanId: request?.spanId });
  expect(attribute(publish!, 'hookline.event.count')).toBe(1);

  const attempts = attemptsOf(deliveryId).sort(
    (a, b) => Number(attribute(a, 'hookline.attempt')) - Number(attribute(b, 'hookline.attempt')),
  );
  for (const [i, attempt] of attempts.entries()) {
    expect(attempt).toMatchObject({
      service: 'hookline-dispatcher',
      traceId,
      parentSpanId: publish?.spanId,
      name: 'POST',
      kind: 3, // CLIENT
      traceState: 'shop=blue',
    });
    expect(attribute(attempt, 'hookline.attempt')).toBe(i + 1);
    expect(attribute(attempt, 'hookline.endpoint.id')).toBe(endpointId);
    expect(attribute(attempt, 'http.request.method')).toBe('POST');
    expect(attribute(attempt, 'url.full')).toBe(receiver.url('/one'));
    expect(attribute(attempt, 'server.address')).toBe('127.0.0.1');
    expect(typeof attribute(attempt, 'hookline.queue.wait_ms')).toBe('number');
  }
  const [failed, delivered] = attempts;
  expect(attribute(failed!, 'http.response.status_code')).toBe(500);
  expect(attribute(failed!, 'hookline.outcome')).toBe('http_error');
  expect(attribute(failed!, 'error.type')).toBe('500');
  expect(failed?.status.code).toBe(2); // ERROR
  expect(attribute(delivered!, 'http.response.status_code')).toBe(204);
  expect(attribute(delivered!, 'hookline.outcome')).toBe('success');
  expect(delivered?.status.code).toBe(0); // UNSET

  // Each request carried its attempt's span as the parent, and the receiver's span continued it.
  const sent = receiver.received.filter((r) => r.path === '/one');
  expect(sent.map((r) => r.headers.traceparent)).toEqual(
    attempts.map((a) => `00-${traceId}-${a.spanId as string}-01`),
  );
  expect(sent.map((r) => r.headers.tracestate)).toEqual(['shop=blue', 'shop=blue']);
  const handled = exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  expect(handled.map((s) => s.parentSpanContext?.spanId).sort()).toEqual(
    attempts.map((a) => a.spanId as string).sort(),
  );
}, 40_000);

test("in a batch an event's own traceparent wins; a test send has a trace of its own", async () => {
  const endpoint = await api('/v1/endpoints', { url: receiver.url('/two') });
  const endpointId = endpoint.body.id as string;
  const batchRequest = tracer.startSpan('import');
  const elsewhere = tracer.startSpan('another service');
  const own = headersOf(elsewhere).traceparent!;
  const batch = await api(
    '/v1/events/batch',
    {
      events: [
        { name: 'order.paid', data: { n: 1 } },
        { name: 'order.paid', data: { n: 2 }, traceparent: own },
      ],
    },
    headersOf(batchRequest),
  );
  expect(batch.status).toBe(202);
  const [first, second] = (batch.body.data as { id: string }[]).map((e) =>
    deliveryIdFor(e.id, endpointId),
  );
  const test = await api(
    `/v1/endpoints/${endpointId}/test`,
    { name: 'ping' },
    headersOf(batchRequest),
  );
  expect(test.status).toBe(202);
  const testDelivery = deliveryIdFor(test.body.id as string, endpointId);

  await waitFor(() => attemptsOf(first!).length === 2 && attemptsOf(second!).length === 2, {
    timeoutMs: 20_000,
    message: 'the batch’s attempts exported',
  });
  const publish = exportedSpans().find(
    (s) => s.name === 'publish' && s.traceId === batchRequest.spanContext().traceId,
  );
  expect(attribute(publish!, 'hookline.event.count')).toBe(2);
  for (const attempt of attemptsOf(first!))
    expect(attempt).toMatchObject({ traceId: publish?.traceId, parentSpanId: publish?.spanId });
  for (const attempt of attemptsOf(second!))
    expect(attempt).toMatchObject({
      traceId: elsewhere.spanContext().traceId,
      parentSpanId: elsewhere.spanContext().spanId,
    });

  // The test send: its attempts belong to a trace of their own, not the request's.
  await waitFor(() => attemptsOf(testDelivery).length === 2, {
    timeoutMs: 20_000,
    message: 'the test send’s attempts exported',
  });
  for (const attempt of attemptsOf(testDelivery)) {
    expect(attempt.traceId).not.toBe(batchRequest.spanContext().traceId);
    expect(attempt.parentSpanId ?? '').toBe('');
  }
  batchRequest.end();
  elsewhere.end();
}, 40_000);

test('a replayed dead delivery is a trace of its own, linked to the publish', async () => {
  const endpoint = await api('/v1/endpoints', { url: receiver.url('/dead') });
  const endpointId = endpoint.body.id as string;
  const checkout = tracer.startSpan('checkout');
  const published = await api('/v1/events', { name: 'order.paid', data: {} }, headersOf(checkout));
  checkout.end();
  const deliveryId = deliveryIdFor(published.body.id as string, endpointId);
  // The schedule (50ms) allows one retry: two attempts, then the dead letter.
  await waitFor(
    async () =>
      (
        await fetch(services.producer.url(`/v1/deliveries/${deliveryId}`), {
          headers: { authorization: `Bearer ${KEY}` },
        }).then((r) => r.json() as Promise<{ status?: string }>)
      ).status === 'dead',
    { timeoutMs: 20_000, message: 'the delivery dead' },
  );
  expect((await api(`/v1/deliveries/${deliveryId}/retry`, {})).status).toBe(202);
  // The replay's cycle is a fresh budget: its attempt 3 fails, and attempt 4 follows.
  await waitFor(() => attemptsOf(deliveryId).length >= 3, {
    timeoutMs: 20_000,
    message: 'the replay’s attempt exported',
  });
  const [first, , replayed] = attemptsOf(deliveryId).sort(
    (a, b) => Number(attribute(a, 'hookline.attempt')) - Number(attribute(b, 'hookline.attempt')),
  );
  const { traceId } = checkout.spanContext();
  expect(first?.traceId).toBe(traceId);
  expect(attribute(replayed!, 'hookline.attempt')).toBe(3);
  expect(replayed?.traceId).not.toBe(traceId);
  expect(replayed?.parentSpanId ?? '').toBe('');
  expect(replayed?.links.map((l) => [l.traceId, l.spanId])).toEqual([
    [traceId, first?.parentSpanId],
  ]);
}, 40_000);
