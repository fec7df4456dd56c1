import { prepareEvent } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver } from './receiver';

// The front lane through an in-process dispatcher and a real receiver: a tenant's next event is
// not queued behind another tenant's flood.

let h: Harness;
let r: Receiver;

beforeAll(async () => {
  h = await Harness.create();
  r = await Receiver.start();
});
afterAll(async () => {
  await r.close();
  await h.close();
});

test("a tenant's event published during another tenant's flood is delivered next, not after the flood", async () => {
  const flooding = await h.createEndpoint({ url: r.url('/flood'), tenant_id: 'flooding' });
  const quiet = await h.createEndpoint({ url: r.url('/quiet'), tenant_id: 'quiet' });
  const FLOOD = 3_000;
  // The flood in one slot, so that it is one shard's backlog (a publish is one shard).
  const slot = 7;
  for (let start = 0; start < FLOOD; start += 500)
    await h.api.publisher.publish(
      Array.from({ length: 500 }, (_, i) =>
        prepareEvent(
          { name: 'bulk', data: { i: start + i }, tenant_id: 'flooding' },
          [flooding.id],
          {
            slot,
          },
        ),
      ),
    );
  h.startDispatcher();
  await waitFor(() => r.received.length >= 200, { message: 'the flood under way' });

  const before = r.received.length;
  await h.api.publisher.publish([
    prepareEvent({ name: 'next', data: {}, tenant_id: 'quiet' }, [quiet.id], { slot }),
  ]);
  await waitFor(() => r.received.some((got) => got.path === '/quiet'), {
    message: "the quiet tenant's event",
  });
  const floodAfter = r.received.slice(before).filter((got) => got.path === '/flood').length;
  // Behind it only what the dispatcher had already taken (its concurrency, 20) and what BullMQ
  // fetched ahead: a few dozen, never the 2,800 still waiting.
  expect(floodAfter).toBeLessThan(100);
  const left = FLOOD - r.received.filter((got) => got.path === '/flood').length;
  expect(left).toBeGreaterThan(1_000);
});
