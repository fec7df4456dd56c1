import type { Job } from 'bullmq';
import { createContext, type HooklineContext } from '../src/context';
import { deliveryIdFor, newId } from '../src/ids';
import { EndpointCreate } from '@hookline/api';
import { cleanupPrefix, keysOfPrefix, testPrefix, TEST_REDIS } from '../src/testing';
import type { PreparedEvent } from '../src/in-flight/prepare-event';
import { activeSecrets } from '../src/catalog/endpoint-store';
import { deliveryState, initialState } from '../src/in-flight/job-record';
import type { DeliverJob } from '../src/queues';
import { parseEntry, type StreamEntry } from '../src/log/stream-entries';
import { createTestLog, type TestLog } from '../src/testing-log';

const prefix = testPrefix('stores');
let ctx: HooklineContext;
let testLog: TestLog;

beforeAll(async () => {
  testLog = await createTestLog('stores');
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
      // An empty log: nothing writes it here (log-writer.postgres.test.ts covers what does), so
      // what is read by id comes from Redis.
      logUrl: testLog.url,
    },
    'api',
  );
  await ctx.ready();
  await ctx.log.migrate();
});
afterAll(async () => {
  await ctx.close();
  await cleanupPrefix(prefix);
  await testLog.drop();
});

function prepared(name: string, endpointIds: string[]): PreparedEvent {
  const event = { id: newId('evt'), name, data: { n: 1 }, created_at: new Date().toISOString() };
  return { event, body: JSON.stringify(event), tenantId: null, endpointIds };
}

async function jobData(id: string): Promise<DeliverJob> {
  const job = (await ctx.queues.of(id).deliveries.getJob(id)) as Job;
  return job.data as DeliverJob;
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

test('publish adds one job per delivery, carrying the body, and the event change, in one transaction', async () => {
  const a = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const b = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/b' }));
  const event = prepared('thing.happened', [a.id, b.id]);
  // A marker in the event's shard: a transaction (on a Redis Cluster) stays in one slot.
  const marker = `${ctx.keys.shard(ctx.keys.shardOf(event.event.id))}:marker`;
  await ctx.publisher.publish([event], (multi) => multi.set(marker, '1'));

  const id = deliveryIdFor(event.event.id, a.id);
  expect(await jobData(id)).toEqual({
    delivery_id: id,
    endpoint_id: a.id,
    event_id: event.event.id,
    tenant_id: null,
    name: 'thing.happened',
    resource_id: null,
    test: false,
    attempts: 0,
    body: event.body,
    traceparent: null,
  });
  expect(await ctx.redis.get(marker)).toBe('1');
  // Readable by id at once, before any log has it.
  const read = await ctx.deliveries.getEvent(event.event.id);
  expect(read?.name).toBe('thing.happened');
  expect(read?.deliveries.map((d) => d.endpoint_id).sort()).toEqual([a.id, b.id].sort());
  expect(read?.deliveries.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
});

test('a batch larger than one script call is written whole: every event, its change and its job', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  // publish-records.ts writes 200 events and deliveries per script call: this takes three.
  const events = Array.from({ length: 450 }, () => prepared('batch.split', [ep.id]));
  await ctx.publisher.publish(events);

  const ids = events.map((e) => deliveryIdFor(e.event.id, ep.id));
  const deliveries = await ctx.deliveries.getDeliveries(ids);
  expect(deliveries.map((d) => d.id)).toEqual(ids);
  expect(deliveries.every((d) => d.status === 'pending')).toBe(true);
  const entries: StreamEntry[] = [];
  for (const shard of ctx.keys.allShards)
    entries.push(...((await ctx.redis.xrange(ctx.keys.changes(shard), '-', '+')) as StreamEntry[]));
  const announced = new Set(
    entries.flatMap((entry) => {
      const change = parseEntry(entry);
      return change instanceof Error || change.kind !== 'event' || change.name !== 'batch.split'
        ? []
        : change.deliveries.map((d) => d.id);
    }),
  );
  expect(ids.every((id) => announced.has(id))).toBe(true);
});

test('a delivery to an endpoint failing for longer than disable-after asks for it to be disabled', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const event = prepared('x.y', [ep.id]);
  await ctx.publisher.publish([event]);
  const data = await jobData(deliveryIdFor(event.event.id, ep.id));
  const d = deliveryState(data, initialState(data));
  const t0 = Date.now();
  const record = (to: 'failed' | 'delivered', now: number) =>
    ctx.inFlight.record(d, { to, now }, { health: to === 'failed' ? 'failure' : 'success' });
  expect(await record('failed', t0)).toBe('ok');
  expect(await record('failed', t0 + 60_000)).toBe('disable');
  expect(await record('delivered', t0 + 60_001)).toBe('ok');
  expect(await record('failed', t0 + 60_002)).toBe('ok');
});

test('a fan-out larger than one transaction creates every delivery once, and completing it again adds none', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2_100; i++) ids.push(newId('ep'));
  const event = prepared('big.fanout', ids);
  await ctx.publisher.publish([event]);
  const deliveries = ids.map((ep) => deliveryIdFor(event.event.id, ep));
  expect((await ctx.inFlight.getMany(deliveries)).every((d) => d?.status === 'pending')).toBe(true);
  expect(await ctx.publisher.completeFanout(event)).toBe(0);
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

test('nothing of a delivery in flight expires: its job and its change have no time to live', async () => {
  const ep = await ctx.endpoints.create(EndpointCreate.parse({ url: 'http://127.0.0.1/a' }));
  const event = prepared('ttl.check', [ep.id]);
  await ctx.publisher.publish([event]);
  const id = deliveryIdFor(event.event.id, ep.id);
  for (const key of [ctx.keys.deliveryJob(id), ctx.keys.changesOf(id)])
    expect(await ctx.redis.pttl(key)).toBe(-1);
  expect(await keysOfPrefix(prefix)).toContain(ctx.keys.unloggedEvent(event.event.id));
});
