import type { Job } from 'bullmq';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor, newId } from '../src/ids';
import { EndpointCreate } from '@hookline/api';
import { cleanupPrefix, testPrefix, TEST_REDIS } from '../src/testing';
import type { PreparedEvent } from '../src/delivery-store';
import { activeSecrets } from '../src/endpoint-store';

const prefix = testPrefix('stores');
let ctx: HooklineContext;

beforeAll(async () => {
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
    },
    'api',
  );
  await ctx.ready();
});
afterAll(async () => {
  await ctx.close();
  await cleanupPrefix(prefix);
});

function prepared(name: string, endpointIds: string[]): PreparedEvent {
  const event = { id: newId('evt'), name, data: { n: 1 }, created_at: new Date().toISOString() };
  return { event, body: JSON.stringify(event), tenantId: null, endpointIds };
}

test('an endpoint is matched by exact name, by dotted prefix and by no filter, and not when disabled', async () => {
  const exact = await ctx.endpoints.create(
    EndpointCreate.parse({ url: 'http://127.0.0.1/a', event_types: ['order.filled'] }),
  );
  const wildcard = await ctx.endpoints.create(
    EndpointCreate.parse({ url: 'http://127.0.0.1/b', event_types: ['order.*'] }),
  );
  const all = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/c' }));
  const other = await ctx.endpoints.create(
    EndpointCreate.parse({ url: 'http://127.0.0.1/d', event_types: ['user.created'] }),
  );

  expect(await ctx.endpoints.matching('order.filled', null)).toEqual(
    [exact.id, wildcard.id, all.id].sort(),
  );
  expect(await ctx.endpoints.matching('order.x.y', null)).toEqual([wildcard.id, all.id].sort());
  expect(await ctx.endpoints.matching('orders', null)).toEqual([all.id]);
  expect(await ctx.endpoints.matching('user.created', null, [other.id, exact.id])).toEqual([
    other.id,
  ]);

  await ctx.endpoints.disable(all.id, 'test');
  expect(await ctx.endpoints.matching('orders', null)).toEqual([]);
  await ctx.endpoints.update(all.id, { disabled: false });
  expect(await ctx.endpoints.matching('orders', null)).toEqual([all.id]);
  await ctx.endpoints.update(all.id, { event_types: ['billing.*'] });
  expect(await ctx.endpoints.matching('orders', null)).toEqual([]);
  expect(await ctx.endpoints.matching('billing.paid', null)).toEqual([all.id]);
});

test('publish writes the event, its deliveries and one job per delivery in one transaction', async () => {
  const a = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const b = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/b' }));
  const event = prepared('thing.happened', [a.id, b.id]);
  // A marker in the event's shard: a transaction (on a Redis Cluster) stays in one slot.
  const marker = `${ctx.keys.shard(ctx.keys.shardOf(event.event.id))}:marker`;
  await ctx.deliveries.publish([event], (multi) => multi.set(marker, '1'));

  const stored = await ctx.events.get(event.event.id);
  expect(stored?.name).toBe('thing.happened');
  expect(stored?.deliveries.map((d) => d.endpoint_id).sort()).toEqual([a.id, b.id].sort());
  expect(stored?.deliveries.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);

  const id = deliveryIdFor(event.event.id, a.id);
  const job = (await ctx.queues.of(id).deliveries.getJob(id)) as Job;
  expect(job.data).toEqual({ delivery_id: id, endpoint_id: a.id, event_id: event.event.id });
  expect(await ctx.redis.get(marker)).toBe('1');
});

test('a batch larger than one script call is written whole: every event, its delivery and its index entry', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  // publish-records.ts writes 200 events and deliveries per script call: this takes three.
  const events = Array.from({ length: 450 }, () => prepared('batch.split', [ep.id]));
  await ctx.deliveries.publish(events);

  const ids = events.map((e) => deliveryIdFor(e.event.id, ep.id));
  const deliveries = await ctx.deliveries.getDeliveries(ids);
  expect(deliveries.map((d) => d.id)).toEqual(ids);
  expect(deliveries.every((d) => d.status === 'pending')).toBe(true);
  const stored = await Promise.all(events.map((e) => ctx.events.get(e.event.id)));
  expect(stored.every((e, i) => e?.deliveries[0]?.id === ids[i])).toBe(true);
  let listed = 0;
  for (let shard = 0; shard < ctx.keys.shards; shard++)
    listed += await ctx.redis.zcard(ctx.keys.eventsNamed(shard, null, 'batch.split'));
  expect(listed).toBe(450);
});

test('a transition records the attempt, moves the delivery between status sets and dead-letters it', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const event = prepared('x.y', [ep.id]);
  await ctx.deliveries.publish([event]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const attempt = {
    number: 1,
    at: new Date().toISOString(),
    duration_ms: 3,
    status_code: 500,
    error: null,
    response_excerpt: 'no',
  };

  expect(
    await ctx.deliveries.transition({ id, endpointId: ep.id, tenantId: null }, 'dead', {
      attempt,
      health: 'failure',
    }),
  ).toBe('ok');
  const delivery = await ctx.deliveries.getDelivery(id);
  expect(delivery?.status).toBe('dead');
  expect(delivery?.attempts).toEqual([attempt]);
  expect((await ctx.deliveries.listDeadLetter({}, { limit: 10 })).data.map((d) => d.id)).toEqual([
    id,
  ]);
  expect((await ctx.deliveries.listForEndpoint(ep.id, 'pending', { limit: 10 })).data).toEqual([]);

  const job = await ctx.queues.of(id).deliveries.getJob(id);
  await job?.remove();
  expect(await ctx.deliveries.requeue([id], ['dead'])).toEqual([id]);
  expect((await ctx.deliveries.getState(id))?.status).toBe('pending');
  expect((await ctx.deliveries.getState(id))?.cycle).toBe(1);
  expect(await ctx.deliveries.deadLetterSize()).toBe(0);
  expect(await ctx.queues.of(id).deliveries.getJob(id)).toBeDefined();
});

test('attempts recorded by an earlier version (a list beside the hash) are read before the new ones', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const event = prepared('x.legacy', [ep.id]);
  await ctx.deliveries.publish([event]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const attempt = (number: number) => ({
    number,
    at: new Date(1_700_000_000_000 + number).toISOString(),
    duration_ms: 3,
    status_code: 500,
    error: null,
    response_excerpt: '',
  });
  // What an earlier version left: two attempts in the list, the count in the hash.
  await ctx.redis.rpush(
    ctx.keys.legacyAttempts(id),
    JSON.stringify(attempt(1)),
    JSON.stringify(attempt(2)),
  );
  await ctx.redis.hset(ctx.keys.delivery(id), 'attempts', 2);

  const delivery = { id, endpointId: ep.id, tenantId: null };
  expect(await ctx.deliveries.transition(delivery, 'failed', { attempt: attempt(3) })).toBe('ok');
  expect(await ctx.redis.hget(ctx.keys.delivery(id), 'att:3')).toBe(JSON.stringify(attempt(3)));
  expect((await ctx.deliveries.getDelivery(id))?.attempts).toEqual([1, 2, 3].map(attempt));
  expect(await ctx.deliveries.lastAttempt(id)).toEqual(attempt(3));
});

test('a delivery to an endpoint failing for longer than disable-after asks for it to be disabled', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const event = prepared('x.y', [ep.id]);
  await ctx.deliveries.publish([event]);
  const d = { id: deliveryIdFor(event.event.id, ep.id), endpointId: ep.id, tenantId: null };
  const t0 = Date.now();
  expect(await ctx.deliveries.transition(d, 'failed', { health: 'failure', now: t0 })).toBe('ok');
  expect(
    await ctx.deliveries.transition(d, 'failed', { health: 'failure', now: t0 + 60_000 }),
  ).toBe('disable');
  expect(
    await ctx.deliveries.transition(d, 'delivered', { health: 'success', now: t0 + 60_001 }),
  ).toBe('ok');
  expect(
    await ctx.deliveries.transition(d, 'failed', { health: 'failure', now: t0 + 60_002 }),
  ).toBe('ok');
});

test('a fan-out larger than one transaction creates every delivery once, and completing it again adds none', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2_100; i++) ids.push(newId('ep'));
  const event = prepared('big.fanout', ids);
  await ctx.deliveries.publish([event]);
  // The first transaction's deliveries are in the event's hash, the later ones in its list.
  const withEvent = await ctx.redis.hget(ctx.keys.event(event.event.id), 'deliveries');
  const later = await ctx.redis.lrange(ctx.keys.eventDeliveries(event.event.id), 0, -1);
  expect(withEvent!.split(',')).toHaveLength(2_000);
  expect(new Set([...withEvent!.split(','), ...later])).toEqual(
    new Set(ids.map((ep) => deliveryIdFor(event.event.id, ep))),
  );
  expect(await ctx.deliveries.completeFanout(event.event.id, ids)).toBe(0);
  expect(
    await ctx.queues.of(event.event.id).fanout.getJob(`fanout-${event.event.id}`),
  ).toBeUndefined();
});

test('a secret rotation keeps the old secret until the grace period ends', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const now = Date.now();
  const newKey = await ctx.endpoints.rotateSecret(ep.id, undefined, 1_000, now);
  const rotated = await ctx.endpoints.get(ep.id);
  expect(rotated?.secrets.map((s) => s.key)).toEqual([newKey, ep.secrets[0]!.key]);
  expect(activeSecrets(rotated!, now + 999)).toHaveLength(2);
  expect(activeSecrets(rotated!, now + 1_000)).toEqual([newKey]);
});

test('every key a publish writes expires with the retention, the sets and indexes it joins too', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const event = prepared('ttl.check', [ep.id]);
  await ctx.deliveries.publish([event]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const shard = ctx.keys.shardOf(id);
  for (const key of [
    ctx.keys.event(event.event.id),
    ctx.keys.delivery(id),
    ctx.keys.endpointDeliveries(shard, ep.id, 'pending'),
    ctx.keys.events(shard, null),
    ctx.keys.eventsNamed(shard, null, 'ttl.check'),
  ]) {
    const ttl = await ctx.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  }
});
