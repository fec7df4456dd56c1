import {
  blockedLinesOf,
  createMetrics,
  fromStatuses,
  lineFigures,
  metricSources,
  prepareEvent,
  type PreparedEvent,
} from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { Receiver, type Received } from './receiver';

// Ordered endpoints through in-process dispatchers and real receivers: one line's deliveries go
// one at a time in publish order, through failures, deaths and replays, while other lines go on.

let h: Harness;
const receivers: Receiver[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await h.close();
});

async function receiver(...args: Parameters<typeof Receiver.start>) {
  const r = await Receiver.start(...args);
  receivers.push(r);
  return r;
}

/** Publishes one event as the API does: its tenant's ordered endpoints read at publish. */
async function publish(endpointId: string, i: number, resource?: string): Promise<PreparedEvent> {
  const event = prepareEvent(
    {
      name: 'order.paid',
      data: { i },
      ...(resource ? { resource: { id: resource, resource_type: 'order' } } : {}),
    },
    [endpointId],
  );
  event.orderings = await h.api.endpoints.orderings(null);
  await h.api.publisher.publish([event]);
  return event;
}

const indexOf = (r: Received) => (JSON.parse(r.body) as { data: { i: number } }).data.i;

test('one line: one delivery at a time, in publish order, each numbered, through failed attempts', async () => {
  h = await Harness.create();
  let inFlight = 0;
  let most = 0;
  const failedOnce = new Set<number>();
  const acked: number[] = [];
  const r = await receiver((req, res, got) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    const i = indexOf(got);
    // A failure of its first attempt at 3 and 7: the line waits through their retries.
    const fail = (i === 3 || i === 7) && !failedOnce.has(i);
    if (fail) failedOnce.add(i);
    setTimeout(() => {
      inFlight -= 1;
      if (!fail) acked.push(i);
      res.writeHead(fail ? 500 : 204).end();
    }, 5);
  });
  const ep = await h.createEndpoint({ url: r.url(), ordering: { key: 'endpoint' } });
  for (let i = 0; i < 15; i++) await publish(ep.id, i);
  h.startDispatcher();
  h.startDispatcher();
  await waitFor(() => acked.length === 15, { message: 'every delivery acknowledged' });

  expect(acked).toEqual(Array.from({ length: 15 }, (_, i) => i));
  expect(most).toBe(1);
  // Requests in the order they were received: each index after the one before was acknowledged.
  expect(r.received.map(indexOf)).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14]);
  // The number rides in the job's data beside the body, which stays byte for byte what was signed.
  const verifier = new Webhook(ep.secrets[0]!.key);
  for (const got of r.received) {
    expect(got.headers['webhook-sequence']).toBe(String(indexOf(got) + 1));
    expect(() => verifier.verify(got.body, got.headers as Record<string, string>)).not.toThrow();
  }
  expect(
    r.received.filter((g) => indexOf(g) === 3).map((g) => g.headers['webhook-attempt']),
  ).toEqual(['1', '2']);
  // The line is gone once its last delivery is recorded, a moment after the receiver answered.
  await waitFor(
    async () => {
      const { lines, blocked } = await lineFigures(h.api.redis, h.api.keys);
      return lines === 0 && blocked === 0;
    },
    { message: 'no line left' },
  );
});

test('a dead delivery lets its line move on and, replayed, goes to the back of the line with the next number', async () => {
  h = await Harness.create({ HOOKLINE_RETRY_SCHEDULE: '700ms,700ms' });
  let failing = true;
  const r = await receiver((_req, res, got) =>
    res.writeHead(failing && indexOf(got) === 1 ? 500 : 204).end(),
  );
  const ep = await h.createEndpoint({ url: r.url(), ordering: { key: 'endpoint' } });
  const reports = await receiver();
  await h.createEndpoint({ url: reports.url(), event_types: ['hookline.delivery.dead'] });
  const events = [];
  for (let i = 0; i < 4; i++) events.push(await publish(ep.id, i));
  h.startDispatcher();

  // While 1 fails, its line is blocked by it: the API and the metrics say so.
  const blocked = await waitFor(
    async () => {
      const lines = await blockedLinesOf(h.api.redis, h.api.keys, ep.id);
      return lines.length === 1 ? lines : undefined;
    },
    { message: 'the line blocked' },
  );
  const dead = r.received.find((g) => indexOf(g) === 1)!.headers['webhook-id'] as string;
  expect(
    blocked.map(({ blocked_since, ...line }) => [line, Date.parse(blocked_since) > 0]),
  ).toEqual([[{ key: 'endpoint', value: '', head_delivery_id: dead, waiting: 2 }, true]]);
  const text = await createMetrics(metricSources(h.api)).registry.metrics();
  expect(text).toMatch(/^hookline_ordering_lines_blocked 1$/m);
  expect(text).toMatch(/^hookline_ordering_lines 1$/m);
  expect(r.received.map(indexOf)).not.toContain(2);

  await waitFor(() => r.received.filter((g) => indexOf(g) === 3).length === 1, {
    message: 'the line moved on past the dead delivery',
  });
  expect(r.received.map(indexOf)).toEqual([0, 1, 1, 1, 2, 3]);
  expect((await h.deliveryStatus(dead))?.status).toBe('dead');
  // Its report names the line that went on without it.
  await waitFor(() => reports.received.length === 1, { message: 'the dead delivery reported' });
  expect(JSON.parse(reports.received[0]!.body)).toMatchObject({
    name: 'hookline.delivery.dead',
    data: { delivery_id: dead, line: { key: 'endpoint', value: '', sequence: 2 } },
  });

  failing = false;
  await waitFor(
    async () =>
      (await h.api.deliveries.requeue([dead], fromStatuses('replay'), Date.now())).length === 1,
    { message: 'the dead delivery replayed' },
  );
  await waitFor(() => r.received.length === 7, { message: 'the replayed delivery' });
  const replayed = r.received[6]!;
  expect(indexOf(replayed)).toBe(1);
  expect(replayed.headers['webhook-id']).toBe(dead);
  expect(replayed.headers['webhook-sequence']).toBe('5');
  expect(replayed.headers['webhook-attempt']).toBe('4');
  expect(events).toHaveLength(4);
});

test("lines of different keys go in parallel: one line's stuck head holds no other line", async () => {
  h = await Harness.create();
  let release: (() => void) | undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const r = await receiver((_req, res, got) => {
    const { resource } = JSON.parse(got.body) as { resource: { id: string } };
    if (resource.id === 'slow') void held.then(() => res.writeHead(204).end());
    else res.writeHead(204).end();
  });
  const ep = await h.createEndpoint({ url: r.url(), ordering: { key: 'resource' } });
  await publish(ep.id, 0, 'slow');
  await publish(ep.id, 1, 'slow');
  for (let i = 0; i < 5; i++) await publish(ep.id, i, 'fast');
  h.startDispatcher();

  await waitFor(() => r.received.filter((g) => g.body.includes('"fast"')).length === 5, {
    message: 'the other line delivered',
  });
  expect(r.received.filter((g) => g.body.includes('"slow"')).map(indexOf)).toEqual([0]);
  // The other line leaves the figures once its last delivery is recorded, a moment after its
  // receipt: only the stuck one is left.
  const figures = await waitFor(
    async () => {
      const now = await lineFigures(h.api.redis, h.api.keys);
      return now.lines === 1 ? now : undefined;
    },
    { message: 'one line left waiting' },
  );
  expect(figures.oldestHeadSeconds).toBeGreaterThan(0);
  release!();
  await waitFor(() => r.received.filter((g) => g.body.includes('"slow"')).length === 2, {
    message: 'the slow line delivered',
  });
  expect(r.received.filter((g) => g.body.includes('"slow"')).map(indexOf)).toEqual([0, 1]);
});
