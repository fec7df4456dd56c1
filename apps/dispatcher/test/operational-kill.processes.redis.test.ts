import type { DeliveryDeadData } from '@hookline/api';
import { deliveryIdFor } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { spawnService, type Service } from './services';

// At least once for operational events: dispatcher processes (the built dist/main.js) killed
// with SIGKILL again and again while deliveries die. Each dead delivery must be reported to the
// operator's endpoint, whatever instant the kills hit (between dead-lettering and queueing the
// report there is no instant: they are one transaction).

const DELIVERIES = 400;
const KILLS = 4;

let h: Harness;
const procs: Service[] = [];
const receivers: Receiver[] = [];

function spawnDispatcher(): Promise<Service> {
  return spawnService(
    'dispatcher',
    h.processEnv({ HOOKLINE_CONCURRENCY: '20', HOOKLINE_RETRY_SCHEDULE: '20ms' }),
  );
}

beforeAll(async () => {
  h = await Harness.create();
});
afterAll(async () => {
  for (const p of procs) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  await Promise.all(receivers.map((r) => r.close()));
  await h.close();
});

test(`dispatchers killed ${KILLS} times while ${DELIVERIES} deliveries die: every death is reported`, async () => {
  const ops = await Receiver.start();
  // Each attempt waits a little, so kills land mid-attempt and mid-transition alike.
  const down = await Receiver.start((_req, res) => setTimeout(() => res.writeHead(500).end(), 3));
  receivers.push(ops, down);
  await h.createEndpoint({ url: ops.url(), event_types: ['hookline.delivery.dead'] });
  const target = await h.createEndpoint({ url: down.url(), event_types: ['order.*'] });
  const events = await h.publishMany([target.id], DELIVERIES);
  const expected = new Set(events.map((e) => deliveryIdFor(e.event.id, target.id)));

  procs.push(await spawnDispatcher());
  for (let kill = 1; kill <= KILLS; kill++) {
    const seen = down.received.length;
    // A random amount of progress between kills: 20 to 120 attempts.
    const progress = 20 + Math.floor(Math.random() * 100);
    await waitFor(() => down.received.length >= seen + progress, {
      timeoutMs: 60_000,
      message: `progress before kill ${kill}`,
    });
    const victim = procs[procs.length - 1]!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    procs.push(await spawnDispatcher());
  }

  const reported = () =>
    new Set(
      ops.received
        .map((r) => JSON.parse(r.body) as { name: string; data: DeliveryDeadData })
        .filter((e) => e.name === 'hookline.delivery.dead')
        .map((e) => e.data.delivery_id),
    );
  await waitFor(() => reported().size === expected.size, {
    timeoutMs: 120_000,
    intervalMs: 200,
    message: `every one of ${expected.size} deaths reported`,
  });
  expect([...reported()].sort()).toEqual([...expected].sort());
  const deliveries = await h.api.deliveries.getDeliveries([...expected]);
  expect(deliveries.filter((d) => d.status !== 'dead')).toEqual([]);
  expect(deliveries).toHaveLength(expected.size);
  console.info(
    `operational SIGKILL: ${KILLS} kills, ${expected.size} dead, ${ops.received.length} reports received (${ops.received.length - expected.size} duplicates)`,
  );
}, 240_000);
