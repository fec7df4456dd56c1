import { deliveryIdFor } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { spawnService, type Service } from './services';

// Real dispatcher processes (the built dist/main.js, as production runs it), killed for real.
type Proc = Service;

function spawnDispatcher(h: Harness): Promise<Proc> {
  return spawnService('dispatcher', h.processEnv({ HOOKLINE_CONCURRENCY: '20' }));
}

let h: Harness;
let receiver: Receiver;
const procs: Proc[] = [];

beforeEach(async () => {
  h = await Harness.create();
  // A few ms per request, so that there is always something in flight to be killed.
  receiver = await Receiver.start((_req, res) => setTimeout(() => res.writeHead(204).end(), 5));
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  await receiver.close();
  await h.close();
});

test('a dispatcher killed with SIGKILL mid-load loses nothing: another delivers what it held, and the log holds each delivery once, delivered', async () => {
  const ep = await h.createEndpoint({ url: receiver.url() });
  procs.push(await spawnDispatcher(h), await spawnDispatcher(h));
  const events = await h.publishMany([ep.id], 2_000);
  await waitFor(() => receiver.received.length >= 400, { message: 'load to start' });
  const killedAt = Date.now();
  procs[0]!.child.kill('SIGKILL');
  await waitFor(() => receiver.countsById().size === events.length, {
    timeoutMs: 60_000,
    message: 'every delivery to arrive after the kill',
  });
  const counts = receiver.countsById();
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  console.info(
    `SIGKILL: all ${events.length} delivered ${Date.now() - killedAt} ms after the kill; ${duplicates} delivered twice`,
  );
  expect(counts.size).toBe(events.length);

  // The receiver has every delivery, but not every delivery is settled: those the killed process
  // had sent and not yet recorded are still its active jobs until BullMQ finds them stalled (its
  // lock runs out) and the survivor sends them again. And its log writer may have died holding a
  // batch it had read and not written, which the survivor claims after the claim time (30 s).
  // So the log is read once it shows every delivery delivered, however long the takeover takes.
  const wanted = events.map((e) => deliveryIdFor(e.event.id, ep.id)).sort();
  let logged: Awaited<ReturnType<typeof h.loggedDeliveriesOf>> = [];
  await waitFor(
    async () => {
      await h.logged(60_000);
      logged = await h.loggedDeliveriesOf(ep.id);
      return logged.length >= wanted.length && logged.every((d) => d.status === 'delivered');
    },
    { timeoutMs: 90_000, message: 'the log to hold every delivery, delivered' },
  );
  const ids = logged.map((d) => d.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(wanted);
  expect(logged.filter((d) => d.status !== 'delivered')).toEqual([]);
  // A batch written again changes nothing: no attempt of any delivery is in the log twice.
  const attemptsTwice = logged.filter(
    (d) => new Set(d.attempts.map((a) => a.number)).size !== d.attempts.length,
  );
  expect(attemptsTwice).toEqual([]);
}, 200_000);

test('a dispatcher stopped with SIGTERM mid-load finishes what it holds and exits 0: every delivery arrives exactly once', async () => {
  const ep = await h.createEndpoint({ url: receiver.url() });
  procs.push(await spawnDispatcher(h), await spawnDispatcher(h));
  const events = await h.publishMany([ep.id], 2_000);
  await waitFor(() => receiver.received.length >= 400, { message: 'load to start' });
  procs[0]!.child.kill('SIGTERM');
  expect(await procs[0]!.exited).toBe(0);
  await waitFor(() => receiver.countsById().size === events.length, {
    timeoutMs: 60_000,
    message: 'every delivery',
  });
  const counts = receiver.countsById();
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(receiver.received).toHaveLength(events.length);
}, 90_000);
