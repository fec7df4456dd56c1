import type { Delivery, Endpoint, EventWithDeliveries } from '@hookline/api';
import { deliveryIdFor, prepareEvent, type LogWriter } from '@hookline/core';
import { startTestLogWriter } from '@hookline/core/testing-log';
import { endpointBody, startApp, type Harness } from './harness';

// `trace_id` in the API's answers, read while an event and its delivery are in flight (the change
// stream and the job) and once they are in the log. The producer's publish routes do not take a
// `traceparent` header yet, so the events are published through the core, as a route would.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

let h: Harness;
let writer: LogWriter | undefined;
beforeAll(async () => {
  // No log writer until a test starts one: until then everything is read in flight.
  h = await startApp('trace-id', { logWriter: false });
});
afterAll(async () => {
  await writer?.close();
  await h.close();
});

/** An event to a new endpoint, published with `traceparent`; its id and its delivery's. */
async function publish(traceparent: string | null) {
  const endpoint = (
    (await h.api.post('/v1/endpoints', endpointBody({ event_types: ['trace.*'] })).expect(201))
      .body as Endpoint
  ).id;
  const prepared = prepareEvent({ name: 'trace.read', data: {} }, [endpoint]);
  await h.context.publisher.publish([{ ...prepared, traceparent }]);
  return {
    endpoint,
    event: prepared.event.id,
    delivery: deliveryIdFor(prepared.event.id, endpoint),
  };
}

const getEvent = async (id: string) =>
  (await h.api.get(`/v1/events/${id}`).expect(200)).body as EventWithDeliveries;
const getDelivery = async (id: string) =>
  (await h.api.get(`/v1/deliveries/${id}`).expect(200)).body as Delivery;

test('an event and its delivery in flight show the trace id of the publish', async () => {
  const traced = await publish(TRACEPARENT);
  const plain = await publish(null);
  // Nothing is logged yet: the answers come from the change stream and the jobs.
  expect(await h.context.log.getEvent(traced.event)).toBeUndefined();
  expect(await h.context.inFlight.get(traced.delivery)).toBeDefined();

  expect((await getEvent(traced.event)).trace_id).toBe(TRACE);
  expect((await getDelivery(traced.delivery)).trace_id).toBe(TRACE);
  expect((await getEvent(plain.event)).trace_id).toBeNull();
  expect((await getDelivery(plain.delivery)).trace_id).toBeNull();
});

test('an event and its settled delivery in the log show the trace id, read and listed', async () => {
  const traced = await publish(TRACEPARENT);
  const plain = await publish(null);
  writer = startTestLogWriter(h.context);
  for (const { delivery } of [traced, plain]) await h.settle(delivery, 'delivered');
  // The jobs are gone: the deliveries are read from the log alone.
  expect(await h.context.inFlight.get(traced.delivery)).toBeUndefined();

  expect((await getEvent(traced.event)).trace_id).toBe(TRACE);
  expect((await getDelivery(traced.delivery)).trace_id).toBe(TRACE);
  expect((await getEvent(plain.event)).trace_id).toBeNull();
  expect((await getDelivery(plain.delivery)).trace_id).toBeNull();

  const events = (await h.api.get('/v1/events?name=trace.read').expect(200)).body as {
    data: EventWithDeliveries[];
  };
  const eventTraces = new Map(events.data.map((e) => [e.id, e.trace_id]));
  expect(eventTraces.get(traced.event)).toBe(TRACE);
  expect(eventTraces.get(plain.event)).toBeNull();

  for (const { endpoint, delivery, trace } of [
    { ...traced, trace: TRACE },
    { ...plain, trace: null },
  ]) {
    const searched = (await h.api.get(`/v1/deliveries?endpoint_id=${endpoint}`).expect(200))
      .body as { data: Delivery[] };
    expect(searched.data.map((d) => [d.id, d.trace_id])).toEqual([[delivery, trace]]);
    const ofEndpoint = (await h.api.get(`/v1/endpoints/${endpoint}/deliveries`).expect(200))
      .body as { data: Delivery[] };
    expect(ofEndpoint.data.map((d) => [d.id, d.trace_id])).toEqual([[delivery, trace]]);
  }
});
