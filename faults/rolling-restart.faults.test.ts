import { waitFor } from '@hookline/core/testing';
import { deliveriesOf, endpointsAt } from './harness/api';
import { queueCounts } from './harness/inspect';
import { expectLoggedOnce } from './harness/log';
import { Load } from './harness/load';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 2: every dispatcher replaced one by one with SIGTERM while events keep coming.
// A dispatcher that gets SIGTERM stops taking jobs and finishes those in flight before it exits,
// so nothing is delivered twice: every delivery arrives exactly once.

const ENDPOINTS = 4;

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start(() => ({ kind: 'ok', delayMs: 10 }));
});
afterAll(() => receiver.close());

test('a rolling restart of every dispatcher (SIGTERM) while delivering: every delivery arrives exactly once', async () => {
  await withHookline({ dispatchers: 3 }, async (h) => {
    const endpointIds = await endpointsAt(h.api, receiver, ENDPOINTS);
    const started = Date.now();
    const load = new Load(() => h.api, {
      batchSize: 50,
      parallel: 2,
      pauseMs: 100,
      event: (i) => ({ name: 'order.filled', data: { i } }),
    });

    const restarts: {
      name: string;
      drainSeconds: number;
      code: number | null;
      deliveredDuring: number;
    }[] = [];
    try {
      await waitFor(() => receiver.delivered >= 1_000, {
        timeoutMs: 60_000,
        message: 'load to be flowing',
      });
      for (const old of [...h.dispatchers]) {
        // Replacement first, as a rolling update does: capacity never drops to two.
        await h.startDispatcher();
        const before = receiver.delivered;
        const t = Date.now();
        const exit = await old.stop('SIGTERM');
        restarts.push({
          name: old.name,
          drainSeconds: seconds(Date.now() - t),
          code: exit.code,
          deliveredDuring: receiver.delivered - before,
        });
        expect(exit).toEqual({ code: 0, signal: null });
        // Delivering on, before the next one goes.
        await receiver.untilMore(300, 'deliveries to go on after a restart');
      }
    } finally {
      await load.stop();
    }
    expect(load.count('202')).toBeGreaterThan(0);

    const expected = await receiver.untilDelivered(load.deliveryIds(endpointIds), 120_000);
    const total = expected.length;
    await waitFor(
      async () => {
        const counts = await queueCounts(h);
        return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
      },
      { timeoutMs: 30_000, message: 'the queue to drain' },
    );

    const deliveries = await deliveriesOf(
      h.api,
      load.stats.accepted.map((p) => p.id),
    );
    expect(deliveries).toHaveLength(total);
    expect(deliveries.filter((d) => receiver.arrivals.get(d.id) !== 1)).toEqual([]);
    expect(deliveries.filter((d) => d.status !== 'delivered' || d.attempts !== 1)).toEqual([]);
    // Nothing arrived twice, not even for an event whose publish answer was lost.
    expect(receiver.duplicates()).toEqual({ ids: 0, extraRequests: 0 });
    // Each drained in time: none had to give up on in-flight work.
    for (const d of h.dispatchers) expect(d.output()).not.toMatch(/forcing close/);
    // A dispatcher stopped with SIGTERM writes what its log writer had read before it exits: the
    // log holds every delivery once, delivered, with its one attempt.
    const loggedMs = await expectLoggedOnce(
      h,
      load.stats.accepted.map((p) => p.id),
      expected,
      () => ({ status: 'delivered', attempts: [1, 1] }),
    );

    report('rolling-restart', {
      deliveries: total,
      publishAnswers: load.stats.statuses,
      restarts,
      duplicates: 0,
      loggedSecondsAfterDrain: seconds(loggedMs),
      totalSeconds: seconds(Date.now() - started),
    });
  });
}, 240_000);
