import type { Delivery } from '@hookline/api';
import { waitFor } from '@hookline/core/testing';
import { connect, type ChannelModel } from 'amqplib';
import { mapLimit } from './harness/api';
import { statuses } from './harness/inspect';
import { Load } from './harness/load';
import { TestRabbitMqNode } from './harness/rabbitmq';
import { report, seconds, withHookline } from './harness/scenario';

// The RabbitMQ destination's outage: a broker of the scenario's own is stopped for 10 s while a
// real producer and two dispatcher processes publish to it, then started again. Publishes to it
// fail meanwhile (the connection refused) and are retried on the schedule; once it is back each
// dispatcher connects again by itself. Every delivery ends delivered or dead with the schedule's
// attempts, and every one delivered (confirmed by the broker, persistent, on a durable queue) is
// on the queue after the restart: nothing confirmed is lost. A message the broker took but whose
// confirm the stop cut off is published again: duplicates are allowed, and counted.

const DOWN_MS = 10_000;
// Long enough to outlast the outage and the restart: 1 + 6 attempts over 31 s.
const SCHEDULE = ['1s', '2s', '4s', '8s', '8s', '8s'];
const EXCHANGE = 'hookline-faults';
const QUEUE = 'hookline-faults-deliveries';

let broker: TestRabbitMqNode;
beforeAll(async () => {
  broker = await TestRabbitMqNode.start();
}, 120_000);
afterAll(() => broker?.destroy(), 120_000);

/** Runs `body` on a connection to the scenario's broker, closed after. */
async function onBroker<T>(body: (connection: ChannelModel) => Promise<T>): Promise<T> {
  const connection = await connect(broker.url);
  try {
    return await body(connection);
  } finally {
    await connection.close();
  }
}

/** How many messages the queue holds now. */
const queued = () =>
  onBroker(async (c) => (await (await c.createChannel()).checkQueue(QUEUE)).messageCount);

test('the broker stopped for 10 s under load: every delivery ends delivered or dead with the right attempts, and every one delivered is on the durable queue after', async () => {
  await onBroker(async (c) => {
    const channel = await c.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(QUEUE, { durable: true });
    await channel.bindQueue(QUEUE, EXCHANGE, '#');
  });
  await withHookline(
    { dispatchers: 2, env: { HOOKLINE_RETRY_SCHEDULE: SCHEDULE.join(',') } },
    async (h) => {
      const endpoint = await h.api.expect<{ id: string }>(201, 'POST', '/v1/endpoints', {
        type: 'rabbitmq',
        url: broker.url,
        exchange: EXCHANGE,
      });
      const started = Date.now();
      // About 200 events a second: the broker's outage, not the machine, is the fault here.
      const load = new Load(() => h.api, {
        batchSize: 10,
        parallel: 1,
        pauseMs: 50,
        event: (i) => ({ name: 'order.filled', data: { i } }),
      });
      let queuedAtStop = 0;
      try {
        await waitFor(async () => (queuedAtStop = await queued()) >= 500, {
          timeoutMs: 60_000,
          message: 'messages to be flowing to the queue',
        });
        await broker.stop();
        await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
        await broker.start();
        const atRestart = await queued();
        await waitFor(async () => (await queued()) >= atRestart + 500, {
          timeoutMs: 90_000,
          message: 'messages to flow again after the restart',
        });
      } finally {
        await load.stop();
      }

      const ids = load.deliveryIds([endpoint.id]);
      const settled = new Set(['delivered', 'dead']);
      await waitFor(
        async () => (await statuses(h.context, ids)).every((s) => s !== null && settled.has(s)),
        { timeoutMs: 120_000, message: 'every delivery to be delivered or dead' },
      );
      await h.untilLogged();
      const chunks = Array.from({ length: Math.ceil(ids.length / 500) }, (_, i) =>
        ids.slice(i * 500, i * 500 + 500),
      );
      const logged: Delivery[] = (
        await mapLimit(chunks, 2, (chunk) => h.context.log.getDeliveries(chunk))
      ).flat();

      // Everything on the queue, by the delivery id each message carries.
      const onQueue = new Map<string, number>();
      await onBroker(async (c) => {
        const channel = await c.createChannel();
        for (;;) {
          const message = await channel.get(QUEUE, { noAck: true });
          if (!message) break;
          const id = String(message.properties.messageId);
          onQueue.set(id, (onQueue.get(id) ?? 0) + 1);
        }
      });

      expect(logged).toHaveLength(ids.length);
      const delivered = logged.filter((d) => d.status === 'delivered');
      const dead = logged.filter((d) => d.status === 'dead');
      expect(delivered.length + dead.length).toBe(ids.length);
      expect(delivered.filter((d) => !onQueue.has(d.id)).map((d) => d.id)).toEqual([]);
      for (const d of dead) expect(d.attempts).toHaveLength(SCHEDULE.length + 1);
      for (const d of delivered) {
        expect(d.attempts.length).toBeLessThanOrEqual(SCHEDULE.length + 1);
        expect(d.attempts.at(-1)!.error).toBeNull();
        expect(d.attempts.slice(0, -1).every((a) => a.error !== null)).toBe(true);
      }
      // The outage did hit deliveries: some were retried over it.
      const retried = delivered.filter((d) => d.attempts.length > 1);
      expect(retried.length).toBeGreaterThan(0);
      const errors: Record<string, number> = {};
      for (const d of logged)
        for (const a of d.attempts) if (a.error) errors[a.error] = (errors[a.error] ?? 0) + 1;

      report('rabbitmq-restart', {
        acceptedDeliveries: ids.length,
        delivered: delivered.length,
        dead: dead.length,
        retried: retried.length,
        attemptErrors: errors,
        queuedAtStop,
        onQueue: onQueue.size,
        duplicateIds: [...onQueue.values()].filter((n) => n > 1).length,
        brokerDownSeconds: seconds(DOWN_MS),
        totalSeconds: seconds(Date.now() - started),
      });
    },
  );
}, 400_000);
