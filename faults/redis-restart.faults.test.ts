import { waitFor } from '@hookline/core/testing';
import { deliveriesOf, endpointsAt } from './harness/api';
import { AOF_ALWAYS } from './harness/hookline';
import { queueCounts } from './harness/inspect';
import { deliveredAsSent, expectLoggedOnce } from './harness/log';
import { steadyLoad } from './harness/load';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 3: Redis with `appendonly yes` and `appendfsync always` crashes (SIGKILL) under
// load and comes back on the same data. Every event answered 202 is delivered: with every write
// fsynced before Redis acknowledges it, a 202 survives the crash. While Redis is gone the producer
// answers 503 (never a 500, never a hang) and recovers by itself; dispatchers reconnect by
// themselves, without a restart.

const ENDPOINTS = 2;

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start(() => ({ kind: 'ok', delayMs: 5 }));
});
afterAll(() => receiver.close());

async function readyz(url: string): Promise<number | undefined> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3_000) }).catch(
    () => undefined,
  );
  return res?.status;
}

test('Redis (AOF, fsync always) killed and restarted under load: every 202 is delivered, 503 meanwhile, everything heals by itself', async () => {
  await withHookline({ redisArgs: AOF_ALWAYS, dispatchers: 2 }, async (h) => {
    const endpointIds = await endpointsAt(h.api, receiver, ENDPOINTS);
    const dispatcherPids = h.dispatchers.map((d) => d.pid);
    const started = Date.now();
    const load = steadyLoad(() => h.api);

    let crashedAt: number;
    let restartedAt: number;
    let producerBackMs: number;
    let dispatchersBackMs: number;
    let downSeconds: number;
    try {
      await waitFor(() => receiver.delivered >= 1_000, {
        timeoutMs: 60_000,
        message: 'load to be flowing',
      });
      await h.server.stop();
      crashedAt = Date.now();
      // Down until the producer has visibly noticed: /readyz 503 and publishes refused with 503.
      const refusedBefore = load.count('503');
      await waitFor(async () => (await readyz(h.producer.url)) === 503, {
        timeoutMs: 10_000,
        message: '/readyz to be 503 while Redis is down',
      });
      await waitFor(() => load.count('503') >= refusedBefore + 5, {
        timeoutMs: 20_000,
        message: 'publishes to be refused with 503',
      });
      // And down for a while longer than that: long enough for every client to be in its
      // reconnect back-off (1 s at most), not just to have seen one refused command.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      downSeconds = seconds(Date.now() - crashedAt);

      await h.server.start();
      await h.checkOwnRedis();
      restartedAt = Date.now();
      const deliveredAtRestart = receiver.delivered;
      await waitFor(async () => (await readyz(h.producer.url)) === 200, {
        timeoutMs: 30_000,
        message: '/readyz to be 200 again',
      });
      await waitFor(() => (load.stats.seen['202']?.last ?? 0) > restartedAt, {
        timeoutMs: 30_000,
        message: 'a publish to be accepted again',
      });
      producerBackMs = (load.stats.seen['202']?.last ?? 0) - restartedAt;
      await waitFor(() => receiver.delivered >= deliveredAtRestart + 200, {
        timeoutMs: 60_000,
        message: 'deliveries to flow again',
      });
      dispatchersBackMs = Date.now() - restartedAt;
      await receiver.untilMore(500, 'deliveries to go on after the restart');
    } finally {
      await load.stop();
    }

    const expected = await receiver.untilDelivered(load.deliveryIds(endpointIds), 120_000);
    const total = expected.length;
    const deliveries = await deliveriesOf(
      h.api,
      load.stats.accepted.map((p) => p.id),
    );
    expect(deliveries).toHaveLength(total);
    expect(deliveries.filter((d) => !receiver.successes.has(d.id))).toEqual([]);
    await waitFor(
      async () => {
        const counts = await queueCounts(h);
        return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
      },
      { timeoutMs: 30_000, message: 'the queue to drain' },
    );
    expect(
      (
        await deliveriesOf(
          h.api,
          load.stats.accepted.map((p) => p.id),
        )
      ).filter((d) => d.status !== 'delivered'),
    ).toEqual([]);

    // The producer said 202 or 503, nothing else: no 500, no request left without an answer.
    expect(Object.keys(load.stats.statuses).sort()).toEqual(['202', '503']);
    // Nobody restarted anything: the same dispatcher processes heal by themselves.
    expect(h.liveDispatchers.map((d) => d.pid)).toEqual(dispatcherPids);
    for (const d of h.dispatchers) await d.waitHealthy('/healthz', 5_000);

    const acceptedIds = new Set(deliveries.map((d) => d.id));
    const attemptsOtherThanOne = deliveries.filter((d) => d.attempts !== 1);
    // A delivery sent once (no duplicate at the receiver) but recorded with more attempts than
    // requests: its attempt list shows what happened.
    const overcounted = attemptsOtherThanOne.find((d) => receiver.arrivals.get(d.id) === 1);
    const overcountedView = overcounted && (await h.api.delivery(overcounted.id));
    // The log: every accepted delivery once, delivered, each attempt written once and none that
    // was not sent (a change is appended in the same script as the job's move, so Redis lost none
    // of them either).
    const loggedMs = await expectLoggedOnce(
      h,
      load.stats.accepted.map((p) => p.id),
      expected,
      deliveredAsSent(receiver),
    );

    report('redis-restart', {
      acceptedDeliveries: total,
      publishAnswers: load.stats.statuses,
      redisDownSeconds: downSeconds,
      producerAcceptsAgainSecondsAfterRestart: seconds(producerBackMs),
      dispatchersDeliverAgainSecondsAfterRestart: seconds(dispatchersBackMs),
      duplicateIds: receiver.duplicates().ids,
      attemptsOtherThanOne: attemptsOtherThanOne.length,
      attemptsRecordedButSentOnce: attemptsOtherThanOne.filter(
        (d) => receiver.arrivals.get(d.id) === 1,
      ).length,
      overcountedExample: overcountedView && {
        id: overcountedView.id,
        requestsReceived: 1,
        attempts: overcountedView.attempts.map((a) => ({
          number: a.number,
          at: a.at,
          status_code: a.status_code,
        })),
      },
      // Events answered 503 whose writes had in fact committed (their deliveries arrived anyway).
      deliveredButNotAccepted: [...receiver.successes.keys()].filter((id) => !acceptedIds.has(id))
        .length,
      loggedSecondsAfterDrain: seconds(loggedMs),
      totalSeconds: seconds(Date.now() - started),
    });
  });
}, 240_000);
