import type { DeliveryDeadData, EndpointDisabledData } from '@hookline/api';
import { deliveryIdFor, operationalJobId, prepareEvent, type OperationalJob } from '@hookline/core';
import { countJobs, waitFor } from '@hookline/core/testing';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { Receiver } from './receiver';

// Operational events (docs/api.md, "Operational events"): Hookline's own reports of a dead
// delivery and of an endpoint it disabled, delivered signed to the untenanted endpoints that
// subscribe to them by name or prefix, and to no other.

let h: Harness;
const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof Receiver.start>) {
  const r = await Receiver.start(...args);
  receivers.push(r);
  return r;
}
const failing = () => receiver((_req, res) => res.writeHead(500).end('down'));

beforeEach(async () => {
  h = await Harness.create({ HOOKLINE_RETRY_SCHEDULE: '10ms' });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await h.close();
});

interface Op<T> {
  id: string;
  name: string;
  data: T;
  created_at: string;
}
const opsAt = <T>(r: Receiver, name: string) =>
  r.received.map((x) => JSON.parse(x.body) as Op<T>).filter((e) => e.name === name);

/** An operator's endpoints: one for the reports, one catch-all, and a tenant's that asks for them. */
async function operatorEndpoints() {
  const ops = await receiver();
  const catchAll = await receiver();
  const tenants = await receiver();
  const opsEndpoint = await h.createEndpoint({ url: ops.url(), event_types: ['hookline.*'] });
  await h.createEndpoint({ url: catchAll.url() });
  await h.createEndpoint({ url: catchAll.url('/star'), event_types: ['*'] });
  await h.createEndpoint({ url: tenants.url(), event_types: ['hookline.*'], tenant_id: 'acme' });
  return { ops, catchAll, tenants, opsEndpoint };
}

test('a delivery that runs out of attempts is reported, signed, to the subscribed endpoint only', async () => {
  const { ops, catchAll, tenants, opsEndpoint } = await operatorEndpoints();
  const down = await failing();
  const target = await h.createEndpoint({
    url: down.url(),
    event_types: ['order.*'],
    tenant_id: 'globex',
  });
  h.startDispatcher();
  const event = prepareEvent({ name: 'order.filled', data: {}, tenant_id: 'globex' }, [target.id]);
  await h.api.publisher.publish([event]);
  const id = deliveryIdFor(event.event.id, target.id);

  await waitFor(() => opsAt(ops, 'hookline.delivery.dead').length === 1, {
    message: 'the report of the dead delivery',
  });
  const got = ops.received.find((r) => r.body.includes('hookline.delivery.dead'))!;
  const verified = new Webhook(opsEndpoint.secrets[0]!.key).verify(
    got.body,
    got.headers as Record<string, string>,
  ) as Op<DeliveryDeadData>;
  expect(verified.data).toEqual({
    delivery_id: id,
    event_id: event.event.id,
    endpoint_id: target.id,
    tenant_id: 'globex',
    attempts: 2,
    last_status_code: 500,
    last_error: null,
  });
  // Visible in the API like any event, and delivered.
  const stored = await h.api.deliveries.getEvent(verified.id);
  expect(stored?.name).toBe('hookline.delivery.dead');
  expect(stored?.tenant_id).toBeNull();
  await waitFor(
    async () =>
      (await h.api.deliveries.getEvent(verified.id))?.deliveries[0]?.status === 'delivered',
  );
  expect(catchAll.received).toEqual([]);
  expect(tenants.received).toEqual([]);
  const [dispatcher] = h.dispatchers;
  const published = await dispatcher!.metrics.registry.getSingleMetricAsString(
    'hookline_events_published_total',
  );
  expect(published).toMatch(/^hookline_events_published_total\{source="operational"\} 1$/m);
  expect(published).toMatch(/^hookline_events_published_total\{source="api"\} 0$/m);
});

test('an endpoint answering 410 is disabled and reported once; its backlog is not reported delivery by delivery', async () => {
  const { ops, catchAll } = await operatorEndpoints();
  const gone = await receiver((_req, res) => res.writeHead(410).end());
  const target = await h.createEndpoint({ url: gone.url(), event_types: ['order.*'] });
  // A backlog behind the 410: every one of these dies because the endpoint is disabled.
  await h.publishMany([target.id], 200);
  h.startDispatcher();

  await waitFor(() => opsAt(ops, 'hookline.endpoint.disabled').length >= 1, {
    message: 'the report of the disable',
  });
  const [disabled] = opsAt<EndpointDisabledData>(ops, 'hookline.endpoint.disabled');
  expect(disabled!.data).toEqual({
    endpoint_id: target.id,
    tenant_id: null,
    reason: 'the endpoint answered 410 Gone',
  });
  // Wait for the backlog to be dead-lettered, then for the reports' queue to drain.
  await waitFor(
    async () => (await h.api.log.count({ dead_letter: true, endpoint_id: target.id })) === 200,
    {
      message: 'the whole backlog dead-lettered',
      timeoutMs: 20_000,
    },
  );
  await waitFor(
    async () =>
      (await countJobs(h.api.queues, 'operational', 'waiting', 'active', 'delayed')) === 0,
  );
  await waitFor(
    async () => (await countJobs(h.api.queues, 'deliveries', 'waiting', 'active', 'delayed')) === 0,
  );
  // One report of the disable, and the 410'd deliveries' own reports: each delivery that got a
  // 410 itself (those in flight together, at most the per-endpoint cap) — never the 200.
  expect(opsAt(ops, 'hookline.endpoint.disabled')).toHaveLength(1);
  const dead = opsAt(ops, 'hookline.delivery.dead').length;
  expect(dead).toBeGreaterThanOrEqual(1);
  expect(dead).toBeLessThanOrEqual(gone.received.length);
  expect(gone.received.length).toBeLessThan(200);
  expect(catchAll.received).toEqual([]);
});

test('a report whose own delivery dies reports nothing further', async () => {
  const opsDown = await failing();
  await h.createEndpoint({ url: opsDown.url(), event_types: ['hookline.delivery.dead'] });
  const down = await failing();
  const target = await h.createEndpoint({ url: down.url(), event_types: ['order.*'] });
  h.startDispatcher();
  const event = await h.publish([target.id]);

  // The order delivery dies (2 attempts), its report is sent twice to the failing ops endpoint
  // and dies too; that second death must not be reported.
  await waitFor(() => opsDown.received.length === 2, { message: 'the report tried twice' });
  const report = JSON.parse(opsDown.received[0]!.body) as Op<DeliveryDeadData>;
  expect(report.data.event_id).toBe(event.event.id);
  await waitFor(
    async () => (await h.api.deliveries.getEvent(report.id))?.deliveries[0]?.status === 'dead',
  );
  await waitFor(
    async () =>
      (await countJobs(h.api.queues, 'operational', 'waiting', 'active', 'delayed')) === 0,
  );
  await h.logged();
  const reports = await h.api.log.listEvents({ name: 'hookline.delivery.dead', limit: 10 });
  expect(reports.data.map((e) => e.id)).toEqual([report.id]);
});

test('a report job that runs again publishes nothing twice', async () => {
  const { ops } = await operatorEndpoints();
  const down = await failing();
  const target = await h.createEndpoint({ url: down.url() });
  h.startDispatcher();
  const event = await h.publish([target.id]);
  await waitFor(() => opsAt(ops, 'hookline.delivery.dead').length === 1);
  // The same report again (as after a crash between publishing and completing its job): the job
  // as the dead-lettering queued it, dated by the death its event carries.
  const [sent] = opsAt<DeliveryDeadData>(ops, 'hookline.delivery.dead');
  const id = deliveryIdFor(event.event.id, target.id);
  expect(sent!.data.delivery_id).toBe(id);
  const job: OperationalJob = {
    kind: 'delivery.dead',
    ...sent!.data,
    at: Date.parse(sent!.created_at),
  };
  await h.api.queues.of(id).operational.add('operational', job, { jobId: operationalJobId(job) });
  await waitFor(
    async () =>
      (await countJobs(h.api.queues, 'operational', 'waiting', 'active', 'delayed')) === 0,
  );
  await h.logged();
  const reports = await h.api.log.listEvents({ name: 'hookline.delivery.dead', limit: 10 });
  expect(reports.data).toHaveLength(1);
  expect(opsAt(ops, 'hookline.delivery.dead')).toHaveLength(1);
});
