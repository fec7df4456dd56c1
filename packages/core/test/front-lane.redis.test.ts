import type { Redis } from 'ioredis';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor, newId } from '../src/ids';
import { FRONT_LANE_PER_WINDOW, FRONT_LANE_WINDOW_MS } from '../src/in-flight/front-lane';
import { prepareEvent, type PreparedEvent } from '../src/in-flight/prepare-event';
import { DELIVERIES_QUEUE } from '../src/redis/keys';
import { randomSlot } from '../src/redis/shards';
import { cleanupPrefix, testPrefix, TEST_REDIS } from '../src/testing';

// The front lane (commands/front-lane-1.lua) against real Redis: where the publish path leaves
// each tenant's deliveries in BullMQ's wait list, which workers take from its far (right) end.

const prefix = testPrefix('lane');
let ctx: HooklineContext;
let redis: Redis;

beforeAll(async () => {
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
      logUrl: 'postgres://postgres@127.0.0.1:5432/hookline_unused',
    },
    'api',
  );
  await ctx.ready();
  redis = ctx.redis;
});
afterAll(async () => {
  await ctx.close();
  await cleanupPrefix(prefix);
});

/** A publish of `count` events of `tenant` to one endpoint, all in `slot`; their delivery ids. */
async function publish(
  tenant: string | null,
  count: number,
  slot: number,
  endpointId: string,
  weight?: number,
) {
  const events: PreparedEvent[] = Array.from({ length: count }, (_, i) => ({
    ...prepareEvent({ name: 'order.paid', data: { i }, tenant_id: tenant }, [endpointId], { slot }),
    weight,
  }));
  await ctx.publisher.publish(events);
  return events.map((e) => deliveryIdFor(e.event.id, endpointId));
}

/** The shard's wait list in the order workers take it: first taken first. */
async function takeOrder(anId: string): Promise<string[]> {
  const wait = `${ctx.keys.shard(ctx.keys.shardOf(anId))}:${DELIVERIES_QUEUE}:wait`;
  return (await redis.lrange(wait, 0, -1)).reverse();
}

test("a tenant's flood waits behind its first few; another tenant's next event goes before the flood", async () => {
  const slot = randomSlot();
  const endpoint = newId('ep');
  const flood = await publish('flooding', 100, slot, endpoint);
  const quiet = await publish('quiet', 2, slot, endpoint);
  const order = (await takeOrder(flood[0]!)).filter(
    (id) => flood.includes(id) || quiet.includes(id),
  );
  // Each tenant's first deliveries of the window come first, in publish order, the last publish's
  // first; then the rest of the flood, in publish order.
  expect(order).toEqual([
    ...quiet,
    ...flood.slice(0, FRONT_LANE_PER_WINDOW),
    ...flood.slice(FRONT_LANE_PER_WINDOW),
  ]);
  // The window's count expires with it.
  const pttl = await redis.pttl(ctx.keys.frontLane(ctx.keys.shardOf(flood[0]!), 'flooding'));
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeLessThanOrEqual(FRONT_LANE_WINDOW_MS);
});

test('within its window a tenant keeps the front lane for its first deliveries only, across publishes', async () => {
  const slot = randomSlot();
  const endpoint = newId('ep');
  // A window long enough that a slow machine cannot see it end between the two publishes.
  const shard = ctx.keys.shardOf(deliveryIdFor(newId('evt'), endpoint, slot));
  await redis.set(ctx.keys.frontLane(shard, null), 0, 'PX', 60_000);
  const first = await publish(null, FRONT_LANE_PER_WINDOW - 1, slot, endpoint);
  const second = await publish(null, 3, slot, endpoint);
  const order = (await takeOrder(first[0]!)).filter(
    (id) => first.includes(id) || second.includes(id),
  );
  // One more fits the window: it goes first (the latest front-lane push), then the first
  // publish's, then the two that did not fit, at the back.
  expect(order).toEqual([second[0], ...first, second[1], second[2]]);
});

test("a tenant's weight multiplies its share of the front lane", async () => {
  const slot = randomSlot();
  const endpoint = newId('ep');
  const weighty = await publish('weighty', 3 * FRONT_LANE_PER_WINDOW, slot, endpoint, 2);
  const order = (await takeOrder(weighty[0]!)).filter((id) => weighty.includes(id));
  expect(order).toEqual(weighty);
  // Its first 2 × the share went to the front: the rest wait at the back, behind older work.
  const all = await takeOrder(weighty[0]!);
  const front = all.slice(0, 2 * FRONT_LANE_PER_WINDOW);
  expect(front).toEqual(weighty.slice(0, 2 * FRONT_LANE_PER_WINDOW));
});
