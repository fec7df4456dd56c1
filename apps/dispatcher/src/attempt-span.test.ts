import { deliveryState, initialState, type DeliverJob } from '@hookline/core';
import { startAttemptSpan } from './attempt-span';
import { httpSpan } from './destinations/http/span';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function delivery(data: Partial<DeliverJob>, cycle = 0) {
  const job: DeliverJob = {
    delivery_id: 'whd_1',
    endpoint_id: 'ep_1',
    event_id: 'evt_1',
    tenant_id: null,
    name: 'order.paid',
    resource_id: null,
    test: false,
    attempts: cycle,
    body: '{}',
    traceparent: null,
    ...data,
  };
  return deliveryState(job, initialState(job));
}

const start = (d: ReturnType<typeof delivery>) =>
  startAttemptSpan(
    { delivery: d, shape: () => httpSpan('http://127.0.0.1/hook'), attempt: 1, waitedMs: 0 },
    false,
  );

test('with tracing off an attempt still sends a traceparent of the publisher’s trace, with a parent of its own', () => {
  const { headers } = start(delivery({ traceparent: PARENT, tracestate: 'shop=blue' }));
  expect(headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  expect(headers.traceparent).not.toBe(PARENT);
  expect(headers.tracestate).toBe('shop=blue');
  const again = start(delivery({ traceparent: PARENT }));
  expect(again.headers.traceparent.split('-')[2]).not.toBe(headers.traceparent.split('-')[2]);
});

test('without a stored context, or for a replay, the attempt starts a trace of its own', () => {
  for (const d of [delivery({}), delivery({ traceparent: PARENT, tracestate: 'a=1' }, 2)]) {
    const { headers } = start(d);
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(headers.traceparent.split('-')[1]).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(headers.tracestate).toBeUndefined();
  }
});
