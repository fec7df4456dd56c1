import { waitFor } from '@hookline/core/testing';
import { endpointsAt } from './harness/api';
import type { DispatcherExit } from './harness/hookline';
import { deliveredAsSent, expectLoggedOnce, streamLength } from './harness/log';
import { steadyLoad } from './harness/load';
import { postgresOfFile } from './harness/postgres';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 10: the log's Postgres stops (as in a crash: every connection cut) for 10 s under load,
// then starts again. Delivery does not depend on the log: publishes are accepted and deliveries
// arrive throughout, while the change streams hold every change the log writers cannot write (the
// list API answers 503 meanwhile, never a 500 or a hang). Once Postgres is back, the writers write
// what the streams held, by themselves: every accepted delivery is in the log exactly once, as it
// ended, and Redis holds nothing of them any more. No dispatcher exits over it; one that does is
// replaced at once, as an orchestrator would, so that the log's checks still run, and the exit
// fails a test of its own.

const ENDPOINTS = 2;
const DOWN_MS = 10_000;

// A Postgres of the scenario's own: the shared test Postgres is never stopped.
const postgres = postgresOfFile();
let receiver: Receiver;
/** Dispatchers that exited during the scenario (undefined: it did not get that far). */
let exits: DispatcherExit[] | undefined;
beforeAll(async () => {
  receiver = await Receiver.start(() => ({ kind: 'ok', delayMs: 5 }));
});
afterAll(() => receiver.close());

test('the log (Postgres) stopped for 10 s under load: delivery goes on, the streams hold the changes, and the log gets every one once after', async () => {
  await withHookline({ dispatchers: 2, log: (label) => postgres().createLog(label) }, async (h) => {
    const endpointIds = await endpointsAt(h.api, receiver, ENDPOINTS);
    const replaced = h.replaceExitedDispatchers();
    const started = Date.now();
    const load = steadyLoad(() => h.api);

    const outage = { delivered: 0, accepted: 0, changesAtStop: 0, changesAtRestart: 0 };
    const listAnswers: Record<string, number> = {};
    let restartedAt!: number;
    try {
      await waitFor(() => receiver.delivered >= 1_000, {
        timeoutMs: 60_000,
        message: 'load to be flowing',
      });
      await waitFor(async () => (await h.context.log.count({})) >= 1_000, {
        timeoutMs: 30_000,
        message: 'the log to be written',
      });
      await postgres().stop('immediate');
      const stoppedAt = Date.now();
      const deliveredAtStop = receiver.delivered;
      const acceptedAtStop = load.acceptedDeliveries;
      outage.changesAtStop = await streamLength(h);
      // The list API meanwhile: a clear 503 each time, answered within the API client's bound.
      while (Date.now() - stoppedAt < DOWN_MS) {
        const answer = await h.api
          .call('GET', `/v1/deliveries?endpoint_id=${endpointIds[0]}&limit=10`)
          .then((a) => String(a.status))
          .catch(() => 'error');
        listAnswers[answer] = (listAnswers[answer] ?? 0) + 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      outage.delivered = receiver.delivered - deliveredAtStop;
      outage.accepted = load.acceptedDeliveries - acceptedAtStop;
      outage.changesAtRestart = await streamLength(h);
      await postgres().start();
      restartedAt = Date.now();
      await receiver.untilMore(500, 'deliveries to go on after the restart');
    } finally {
      await load.stop();
    }

    const expected = await receiver.untilDelivered(load.deliveryIds(endpointIds), 120_000);
    const total = expected.length;
    const loggedMs = await expectLoggedOnce(
      h,
      load.stats.accepted.map((p) => p.id),
      expected,
      deliveredAsSent(receiver),
    );
    const allLoggedSeconds = seconds(Date.now() - restartedAt);

    // Delivery went on without the log, and the streams kept what the log did not get.
    expect(outage.delivered).toBeGreaterThan(0);
    expect(outage.accepted).toBeGreaterThan(0);
    expect(outage.changesAtRestart).toBeGreaterThan(outage.changesAtStop);
    // Publishing needs Redis only: every publish was accepted.
    expect(Object.keys(load.stats.statuses)).toEqual(['202']);
    expect(Object.keys(listAnswers)).toEqual(['503']);
    replaced.stop();
    exits = replaced.exits;

    report('postgres-restart', {
      acceptedDeliveries: total,
      postgresDownSeconds: seconds(DOWN_MS),
      duringOutage: outage,
      listAnswersDuringOutage: listAnswers,
      allLoggedSecondsAfterRestart: allLoggedSeconds,
      loggedSecondsAfterDelivered: seconds(loggedMs),
      duplicateIds: receiver.duplicates().ids,
      dispatchersExited: replaced.exits.map(({ name, exit }) => ({ name, ...exit })),
      totalSeconds: seconds(Date.now() - started),
    });
  });
}, 300_000);

// A dispatcher that exits when the log goes away takes its deliveries in flight with it: nothing
// of the log's may end a dispatcher. (Each exit's last output is in the failure.)
test('no dispatcher exits while the log is away', () => {
  expect(exits).toEqual([]);
});
