import { randomBytes } from 'node:crypto';
import { waitFor } from '@hookline/core/testing';
import { PrivateNatsServer } from '@hookline/core/testing-nats';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { deliveriesOf } from './harness/api';
import { queueCounts } from './harness/inspect';
import { Load } from './harness/load';
import { report, seconds, withHookline } from './harness/scenario';

// A NATS JetStream endpoint's server (a private nats-server, file store) is killed under load and
// started again 10 s later on the same store. Meanwhile attempts fail (`connection`) and are
// retried on the schedule; the dispatchers make new connections by themselves once it is back.
// Every delivery ends delivered, or dead after exactly the schedule's attempts, and the stream
// holds every delivered one exactly once: a publish the stream stored but whose ack was lost to
// the crash is retried under the same Nats-Msg-Id and dropped by JetStream as a duplicate.

const SCHEDULE = ['1s', '2s', '4s', '8s', '8s'];
const DOWN_MS = 10_000;
const TAG = randomBytes(6).toString('hex');
const STREAM = `HOOKLINE_FAULTS_${TAG}`;
const PREFIX = `hookline-faults.${TAG}`;

let server: PrivateNatsServer;
beforeAll(async () => {
  server = await PrivateNatsServer.start();
  await withManager((jsm) => jsm.streams.add({ name: STREAM, subjects: [`${PREFIX}.>`] }));
});
afterAll(() => server.close());

/** A connection of the test's own for each look at the stream: it outlives no restart. */
async function withManager<T>(
  body: (jsm: JetStreamManager, nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: `127.0.0.1:${server.port}`, reconnect: false });
  try {
    return await body(await nc.jetstreamManager(), nc);
  } finally {
    await nc.close();
  }
}

const storedCount = () =>
  withManager(async (jsm) => (await jsm.streams.info(STREAM)).state.messages);

/** How many messages the stream holds of each Nats-Msg-Id. */
async function storedIds(): Promise<Map<string, number>> {
  return withManager(async (_jsm, nc) => {
    const total = await storedCount();
    const consumer = await nc.jetstream().consumers.get(STREAM);
    const ids = new Map<string, number>();
    let read = 0;
    while (read < total) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 5_000 });
      for await (const m of batch) {
        read += 1;
        const id = m.headers?.get('Nats-Msg-Id') ?? '';
        ids.set(id, (ids.get(id) ?? 0) + 1);
      }
    }
    return ids;
  });
}

test('the NATS server killed under load and back 10 s later: every delivery delivered or dead with all its attempts, the stream holds each once', async () => {
  await withHookline(
    { dispatchers: 2, env: { HOOKLINE_RETRY_SCHEDULE: SCHEDULE.join(',') } },
    async (h) => {
      const endpoint = await h.api.createEndpoint(`nats://127.0.0.1:${server.port}`, {
        type: 'nats',
        subject: `${PREFIX}.{event}`,
      });
      // A few hundred events a second: enough to have publishes in flight when it dies.
      const load = new Load(() => h.api, {
        batchSize: 10,
        parallel: 2,
        pauseMs: 50,
        event: (i) => ({ name: 'order.filled', data: { i } }),
      });
      let downAt: number;
      let backAt: number;
      let storedAtCrash: number;
      try {
        await waitFor(async () => (await storedCount()) >= 500, {
          timeoutMs: 60_000,
          message: 'messages to be flowing into the stream',
        });
        await server.stop();
        downAt = Date.now();
        storedAtCrash = load.stats.accepted.length;
        await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
        await server.resume();
        backAt = Date.now();
        const before = await storedCount();
        await waitFor(async () => (await storedCount()) >= before + 500, {
          timeoutMs: 60_000,
          message: 'messages to flow again after the restart',
        });
      } finally {
        await load.stop();
      }

      await waitFor(
        async () => {
          const counts = await queueCounts(h);
          return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
        },
        { timeoutMs: 120_000, message: 'every delivery to settle' },
      );
      const deliveries = await deliveriesOf(
        h.api,
        load.stats.accepted.map((p) => p.id),
      );
      expect(deliveries).toHaveLength(load.stats.accepted.length);
      const delivered = deliveries.filter((d) => d.status === 'delivered');
      const dead = deliveries.filter((d) => d.status === 'dead');
      expect(deliveries.filter((d) => d.status !== 'delivered' && d.status !== 'dead')).toEqual([]);
      expect(dead.filter((d) => d.attempts !== SCHEDULE.length + 1)).toEqual([]);

      const stored = await storedIds();
      // None twice, and every delivered one there.
      expect([...stored].filter(([, n]) => n !== 1)).toEqual([]);
      expect(delivered.filter((d) => !stored.has(d.id))).toEqual([]);
      // Nothing there that Hookline did not send for this endpoint.
      const ids = new Set(deliveries.map((d) => d.id));
      expect([...stored.keys()].filter((id) => !ids.has(id))).toEqual([]);
      expect(deliveries.every((d) => d.endpoint_id === endpoint.id)).toBe(true);

      // Retried publishes the stream had already stored: acknowledged as duplicates.
      const retried = deliveries.filter((d) => d.attempts > 1);
      const views = await Promise.all(retried.map((d) => h.api.delivery(d.id)));
      const acknowledgedAsDuplicate = views.filter((v) =>
        v.attempts.at(-1)?.response_excerpt.endsWith(' duplicate'),
      ).length;

      report('nats-restart', {
        acceptedDeliveries: deliveries.length,
        delivered: delivered.length,
        dead: dead.length,
        storedInStream: stored.size,
        acceptedBeforeCrash: storedAtCrash,
        natsDownSeconds: seconds(backAt - downAt),
        retried: retried.length,
        acknowledgedAsDuplicate,
        publishAnswers: load.stats.statuses,
      });
    },
  );
}, 240_000);
