import { waitFor } from '@hookline/core/testing';
import { endpointsAt } from './harness/api';
import { AOF_ALWAYS } from './harness/hookline';
import { deliveredAsSent, expectLoggedOnce, pendingByWriter, streamLength } from './harness/log';
import { steadyLoad } from './harness/load';
import { postgresOfFile } from './harness/postgres';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 11: Redis (AOF, fsync always) SIGKILLed and restarted under load while its change
// streams hold what the log has not written yet. The log's Postgres is stopped first, so the
// writers can write nothing and the streams fill up (each writer holding the batch it read); then
// Redis dies and comes back from its AOF with them. A change is appended in the same script as the
// move it records, and a writer deletes it only once the log has it, so the streams come back with
// every change and every writer's batch in hand; once Postgres is back, everything accepted is in
// the log, exactly once, as it ended.

const ENDPOINTS = 2;
/** Changes held in the streams before Redis is killed: a few seconds of the load. */
const HELD_BEFORE_KILL = 3_000;

// A Postgres of the scenario's own: the shared test Postgres is never stopped.
const postgres = postgresOfFile();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start(() => ({ kind: 'ok', delayMs: 5 }));
});
afterAll(() => receiver.close());

test('Redis killed and restarted while its streams hold changes the log lacks: nothing accepted is missing from the log after', async () => {
  await withHookline(
    { redisArgs: AOF_ALWAYS, dispatchers: 2, log: (label) => postgres().createLog(label) },
    async (h) => {
      const endpointIds = await endpointsAt(h.api, receiver, ENDPOINTS);
      // The log's outage can end a dispatcher (see postgres-restart, which judges that): one that
      // exits is replaced, so that this scenario judges what Redis's restart does.
      const replaced = h.replaceExitedDispatchers();
      const started = Date.now();
      const load = steadyLoad(() => h.api);

      const held = { beforeKill: 0, afterRestart: 0, inHandBeforeKill: 0, inHandAfterRestart: 0 };
      const sumOf = (byWriter: Map<string, number>) =>
        [...byWriter.values()].reduce((sum, n) => sum + n, 0);
      let postgresDownMs!: number;
      try {
        await receiver.untilMore(1_000, 'load to be flowing');
        await postgres().stop('fast');
        const postgresStoppedAt = Date.now();
        await waitFor(async () => (await streamLength(h)) >= HELD_BEFORE_KILL, {
          timeoutMs: 60_000,
          intervalMs: 100,
          message: `${HELD_BEFORE_KILL} changes held in the streams`,
        });
        // Read last before the kill: only appended to since (the writers can delete nothing).
        held.inHandBeforeKill = sumOf(await pendingByWriter(h));
        held.beforeKill = await streamLength(h);
        await h.server.stop();
        await waitFor(() => load.count('503') > 0, {
          timeoutMs: 20_000,
          message: 'publishes to be refused with 503 while Redis is down',
        });
        await h.server.start();
        await h.checkOwnRedis();
        held.afterRestart = await streamLength(h);
        held.inHandAfterRestart = sumOf(await pendingByWriter(h));
        await receiver.untilMore(500, 'deliveries to go on after the Redis restart');
        await postgres().start();
        postgresDownMs = Date.now() - postgresStoppedAt;
        await receiver.untilMore(500, 'deliveries to go on with the log back');
      } finally {
        await load.stop();
      }

      // Every change the streams held before the kill came back from the AOF, batches in hand
      // included (their writers acknowledge them once the log has them).
      expect(held.afterRestart).toBeGreaterThanOrEqual(held.beforeKill);
      expect(held.inHandAfterRestart).toBeGreaterThanOrEqual(held.inHandBeforeKill);

      const expected = await receiver.untilDelivered(load.deliveryIds(endpointIds), 120_000);
      const loggedMs = await expectLoggedOnce(
        h,
        load.stats.accepted.map((p) => p.id),
        expected,
        deliveredAsSent(receiver),
      );
      expect(Object.keys(load.stats.statuses).sort()).toEqual(['202', '503']);
      replaced.stop();

      report('redis-restart-unlogged', {
        acceptedDeliveries: expected.length,
        publishAnswers: load.stats.statuses,
        changesInStreams: held,
        postgresDownSeconds: seconds(postgresDownMs),
        loggedSecondsAfterDelivered: seconds(loggedMs),
        duplicateIds: receiver.duplicates().ids,
        dispatchersExited: replaced.exits.map(({ name, exit }) => ({ name, ...exit })),
        totalSeconds: seconds(Date.now() - started),
      });
    },
  );
}, 300_000);
