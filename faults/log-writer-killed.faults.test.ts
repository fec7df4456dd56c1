import { waitFor } from '@hookline/core/testing';
import { endpointsAt } from './harness/api';
import { deliveredAsSent, expectLoggedOnce, pendingByWriter, streamLength } from './harness/log';
import { deliveryIdsOf, publishAll } from './harness/load';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 9: the log writer SIGKILLed mid-batch. Every dispatcher process runs a log writer
// (log/log-writer.ts); they share each change stream's consumer group. 10,000 events are
// published before any dispatcher runs, so the streams hold a large backlog when two dispatchers
// start; once the log has a few batches of it, one is SIGKILLed while its writer holds a batch it
// has read and not acknowledged. The
// other takes that batch over once it has been idle past the claim time (30 s) and writes it
// again: every accepted event and delivery is in the log exactly once, in its final status, each
// attempt written once, and nothing of them is left in Redis.

const ENDPOINTS = 2;
const EVENTS = 10_000; // × 2 endpoints = 20,000 deliveries, 10,000 changes before the first one
/** Deliveries in the log before the kill: a few batches (of 1,000 changes) written, many to come. */
const LOGGED_BEFORE_KILL = 4_000;
/** A writer's batch in hand this large, at least, before the kill: it is mid-batch. */
const MIN_PENDING_AT_KILL = 100;

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start();
});
afterAll(() => receiver.close());

test('a dispatcher SIGKILLed while its log writer holds a batch: every delivery is in the log exactly once, as it ended', async () => {
  await withHookline({ dispatchers: 0 }, async (h) => {
    const endpointIds = await endpointsAt(h.api, receiver, ENDPOINTS);

    const started = Date.now();
    const published = await publishAll(h.api, EVENTS, {
      batchSize: 500,
      parallel: 2,
      event: (i) => ({ name: 'order.filled', data: { i } }),
    });
    const expected = deliveryIdsOf(published, endpointIds);
    expect(expected).toHaveLength(EVENTS * ENDPOINTS);
    const backlog = await streamLength(h);
    expect(backlog).toBeGreaterThanOrEqual(EVENTS);

    const [victim] = await Promise.all([h.startDispatcher(), h.startDispatcher()]);
    // The victim's writer by its consumer name, which carries its pid.
    const victimWriter = (names: Iterable<string>) =>
      [...names].find((name) => name.includes(`-${victim.pid}-`));
    const victimPid = victim.pid;
    if (victimPid === undefined) throw new Error('the victim dispatcher has no pid');
    let loggedBeforeKill = 0;
    const heldByVictim = async () => {
      const pending = await pendingByWriter(h);
      return pending.get(victimWriter(pending.keys()) ?? '') ?? 0;
    };
    await waitFor(
      async () => {
        if ((await heldByVictim()) < MIN_PENDING_AT_KILL) return false;
        loggedBeforeKill = await h.context.log.count({});
        if (loggedBeforeKill < LOGGED_BEFORE_KILL) return false;
        // Frozen before it is killed: a writer that finished its batch between the check above
        // and the kill would die holding nothing, and the run would prove nothing. SIGSTOP, then
        // look again; still holding a batch, it dies with it; else it goes on and we wait again.
        process.kill(victimPid, 'SIGSTOP');
        if ((await heldByVictim()) > 0) return true;
        process.kill(victimPid, 'SIGCONT');
        return false;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 5,
        message: "the log to have a few batches, and the victim's writer to hold one",
      },
    );
    const exit = await victim.stop('SIGKILL');
    const killedAt = Date.now();
    expect(exit.signal).toBe('SIGKILL');
    // What it held when it died: read, not acknowledged, so not deleted from the stream.
    const pendingAtKill = await pendingByWriter(h);
    const stranded = pendingAtKill.get(victimWriter(pendingAtKill.keys()) ?? '') ?? 0;
    const backlogAtKill = await streamLength(h);
    expect(stranded).toBeGreaterThan(0);

    await receiver.untilDelivered(expected, 180_000);
    const deliveredMs = Date.now() - killedAt;
    // Every change in the log (the stranded batch taken over and written again), every delivery
    // once, delivered, its attempts at most the requests its receiver got, Redis emptied of them.
    const loggedMs = await expectLoggedOnce(
      h,
      published.map((p) => p.id),
      expected,
      deliveredAsSent(receiver),
    );
    // The dead writer holds nothing any more: what it had read was claimed by the live one.
    const pendingAtEnd = await pendingByWriter(h);
    expect([...pendingAtEnd.values()].every((n) => n === 0)).toBe(true);
    expect(h.liveDispatchers).toHaveLength(1);

    const duplicates = receiver.duplicates();
    report('log-writer-killed', {
      deliveries: expected.length,
      changesBeforeDispatchers: backlog,
      deliveriesLoggedBeforeKill: loggedBeforeKill,
      changesAtKill: backlogAtKill,
      victimPendingAtKill: stranded,
      allDeliveredSecondsAfterKill: seconds(deliveredMs),
      loggedSecondsAfterDelivered: seconds(loggedMs),
      duplicateIds: duplicates.ids,
      totalSeconds: seconds(Date.now() - started),
    });
  });
}, 360_000);
