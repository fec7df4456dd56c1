import { deliveryIdFor } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver } from './receiver';

// What a dispatcher leaves behind (README, "The log"): a delivery moves in Redis, as its job, and
// what happened to it is in the log; once it has settled and the log has it, Redis holds nothing
// of it. The retention is the log's: it never cuts short a delivery still moving.

let h: Harness | undefined;
const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof Receiver.start>) {
  const r = await Receiver.start(...args);
  receivers.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await h?.close();
  h = undefined;
});

/** Resolves once Redis holds nothing of the delivery and its event; else fails naming what is left. */
async function untilGoneFromRedis(harness: Harness, deliveryId: string, eventId: string) {
  const gone = await waitFor(
    async () => (await harness.tracesInRedis(deliveryId, eventId)).length === 0,
    { message: `delivery ${deliveryId} to leave Redis` },
  ).catch(() => false);
  if (!gone) expect(await harness.tracesInRedis(deliveryId, eventId)).toEqual([]);
}

test('a delivered delivery ends with its attempt in the log and no trace in Redis', async () => {
  h = await Harness.create();
  const r = await receiver((_req, res) => res.writeHead(200).end('thanks'));
  const ep = await h.createEndpoint({ url: r.url() });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  await waitFor(() => r.received.length === 1, { message: 'the delivery' });
  // The receiver has it before the dispatcher has recorded it: wait for the record, then the log.
  await h.waitForDelivery(id, (d) => d.status === 'delivered');

  await h.logged();
  const [logged] = await h.api.log.getDeliveries([id]);
  expect(logged?.status).toBe('delivered');
  expect(logged?.attempts.map((a) => [a.number, a.status_code, a.response_excerpt])).toEqual([
    [1, 200, 'thanks'],
  ]);
  expect((await h.api.log.getEvent(event.event.id))?.deliveries).toEqual([
    { id, endpoint_id: ep.id, status: 'delivered', attempts: 1 },
  ]);

  await untilGoneFromRedis(h, id, event.event.id);
  // Read by id, it is still there: from the log now.
  expect(await h.deliveryStatus(id)).toEqual(logged);
});

test('a delivery whose retry waits longer than HOOKLINE_RETENTION is still delivered, and logged so', async () => {
  h = await Harness.create({ HOOKLINE_RETENTION: '1s', HOOKLINE_RETRY_SCHEDULE: '2s' });
  let calls = 0;
  const r = await receiver((_req, res) => res.writeHead(++calls === 1 ? 500 : 204).end());
  const ep = await h.createEndpoint({ url: r.url() });
  // No jitter: the retry comes 2 s after the first attempt, twice the retention.
  h.startDispatcher({ random: () => 0.5 });
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);

  await waitFor(() => r.received.length === 2, { message: 'the retry', timeoutMs: 15_000 });
  expect(r.received.map((x) => x.headers['webhook-attempt'])).toEqual(['1', '2']);
  expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(1_900);
  await h.waitForDelivery(id, (d) => d.status === 'delivered');

  await h.logged();
  const [logged] = await h.api.log.getDeliveries([id]);
  expect(logged?.status).toBe('delivered');
  expect(logged?.attempts.map((a) => [a.number, a.status_code])).toEqual([
    [1, 500],
    [2, 204],
  ]);
  await untilGoneFromRedis(h, id, event.event.id);
  expect((await h.deliveryStatus(id))?.status).toBe('delivered');
});

test('read by id while its changes wait for the log, a delivery shows every attempt it made', async () => {
  h = await Harness.create();
  let calls = 0;
  const r = await receiver((_req, res) => res.writeHead(++calls <= 2 ? 500 : 204).end());
  const ep = await h.createEndpoint({ url: r.url() });
  // A log writer that, once it has found its stream empty, looks again only a minute later: the
  // log lags as it does behind a burst, and every change below waits in the stream.
  h.startDispatcher({ logWriter: { idleMs: 60_000, sweepEveryMs: 60_000 } });
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  await waitFor(() => r.received.length === 3, { message: 'three attempts' });

  const delivery = await h.waitForDelivery(id, (d) => d.status === 'delivered');
  expect(delivery.attempts.map((a) => [a.number, a.status_code])).toEqual([
    [1, 500],
    [2, 500],
    [3, 204],
  ]);
  h.startLogWriter();
  await h.logged();
  expect(await h.deliveryStatus(id)).toEqual(delivery);
});
