import { waitFor } from '@hookline/core/testing';
import { Queue } from 'bullmq';
import { queueCounts } from './harness/inspect';
import { expectLoggedOnce } from './harness/log';
import { deliveryIdsOf, publishAll } from './harness/load';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 6: data a dispatcher cannot deliver or log. A job whose data fails its schema, a job
// that is no delivery's (its id is not the delivery id its data names), an endpoint deleted while
// its deliveries are queued and in flight, an unreadable entry in a change stream: each is
// dropped or ends dead, and logged, and none crashes a dispatcher or holds up the good deliveries
// (or the changes) queued behind it. An event cannot expire from under its delivery: its body
// travels in the delivery's job (queues.ts `DeliverJob`), and a job without one fails its schema.

/** The delivery id of the job that is no delivery's. */
const GHOST = 'whd_01M00000000000000000000000';

let good: Receiver;
let doomed: Receiver;
let ghostSent: boolean | undefined;
beforeAll(async () => {
  good = await Receiver.start();
  // Slow failures, so that deliveries are in flight and waiting to retry when their endpoint goes.
  doomed = await Receiver.start(() => ({ kind: 'status', status: 500, delayMs: 500 }));
});
afterAll(async () => {
  await Promise.all([good.close(), doomed.close()]);
});

test('poisoned jobs, a deleted endpoint and an unreadable change are dropped or dead, logged, and block nothing', async () => {
  // No dispatcher yet: the poison is queued first, in front of good work. Info logs: dropping a
  // delivery whose endpoint is gone is logged at info.
  await withHookline(
    {
      dispatchers: 0,
      env: { HOOKLINE_RETRY_SCHEDULE: '1s,1s,1s,1s,1s' },
      dispatcherEnv: { LOG_LEVEL: 'info' },
    },
    async (h) => {
      const started = Date.now();
      const a = await h.api.createEndpoint(good.url('/a'), { event_types: ['good.*'] });
      const b = await h.api.createEndpoint(doomed.url('/b'), { event_types: ['doomed.*'] });

      // The poison goes into the shard a delivery id of slot 0 names (shard 0, as the ghost's id
      // below, whatever HOOKLINE_SHARDS is).
      const queue = new Queue('deliveries', { connection: h.redis, prefix: h.keys.shard(0) });
      const junk = await queue.add('deliver', { delivery_id: 'junk' });
      const notAnObject = await queue.add('deliver', 'not even an object');
      // Data a delivery's job would carry, for a delivery nobody published, under a job id of
      // BullMQ's own: a job, but no delivery's.
      const ghost = await queue.add('deliver', {
        delivery_id: GHOST,
        endpoint_id: a.id,
        event_id: 'evt_01M00000000000000000000000',
        tenant_id: null,
        name: 'good.ghost',
        resource_id: null,
        test: false,
        attempts: 0,
        body: '{"type":"good.ghost"}',
        traceparent: null,
      });
      // A change no log writer can read, ahead of every good one in the stream.
      const unreadable = await h.redis.xadd(h.keys.changes(0), '*', 'k', 'd', 'h', '{not json');

      const goodBefore = await publishAll(h.api, 200, {
        batchSize: 100,
        event: (i) => ({ name: 'good.order', data: { i } }),
      });

      const d1 = await h.startDispatcher();
      const d2 = await h.startDispatcher();
      await waitFor(() => good.delivered >= 200, {
        timeoutMs: 60_000,
        message: 'the good deliveries queued behind the poison',
      });

      // Dropped, logged, gone from the queue: nothing retried forever, nothing failed in BullMQ.
      const logs = () => h.dispatchers.flatMap((d) => d.logs());
      await waitFor(
        () =>
          logs().filter((l) => l.msg === 'deliver job data failed its schema; dropped').length >= 2,
        { timeoutMs: 30_000, message: 'the two schema failures to be logged' },
      );
      const schemaFailures = logs().filter(
        (l) => l.msg === 'deliver job data failed its schema; dropped',
      );
      expect(schemaFailures.map((l) => l.job).sort()).toEqual([junk.id, notAnObject.id].sort());
      expect(schemaFailures.every((l) => l.level === 50)).toBe(true);
      await waitFor(
        async () => ['completed', 'failed', 'unknown'].includes(await queue.getJobState(ghost.id!)),
        { timeoutMs: 30_000, message: "the job that is no delivery's to be finished" },
      );
      for (const job of [junk, notAnObject, ghost]) {
        expect(['completed', 'unknown']).toContain(await queue.getJobState(job.id!));
      }
      // Whether a receiver heard of the delivery nobody published: judged in a test of its own.
      ghostSent = good.arrivals.has(GHOST);

      // The unreadable change: logged, skipped, gone from the stream; the changes behind it
      // (every good delivery's) logged all the same.
      await h.untilLogged();
      const skipped = logs().filter((l) => l.msg === 'unreadable change skipped');
      expect(skipped.map((l) => l.entry)).toEqual([unreadable]);
      expect(skipped.every((l) => l.level === 50)).toBe(true);

      // An endpoint deleted while its deliveries are in flight and waiting for their retries.
      const doomedEvents = await publishAll(h.api, 100, {
        batchSize: 100,
        event: (i) => ({ name: 'doomed.order', data: { i } }),
      });
      const doomedIds = (await Promise.all(doomedEvents.map((e) => h.api.event(e.id)))).flatMap(
        (e) => e.deliveries.map((d) => d.id),
      );
      await waitFor(() => doomed.total >= 40, {
        timeoutMs: 30_000,
        message: 'the doomed endpoint to be busy',
      });
      // In flight (the dispatcher settles those) and waiting to retry (the API drops those).
      const heldAtDelete = (await queueCounts(h)).active ?? 0;
      const sentBeforeDelete = doomed.total;
      expect((await h.api.call('DELETE', `/v1/endpoints/${b.id}`)).status).toBe(204);
      await waitFor(
        async () => {
          const states = await Promise.all(
            doomedIds.map(async (id) => (await h.api.delivery(id)).status),
          );
          return states.every((s) => s === 'dead');
        },
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          message: 'every delivery of the deleted endpoint to be dead',
        },
      );
      await waitFor(
        async () => {
          const counts = await queueCounts(h);
          return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
        },
        { timeoutMs: 30_000, message: 'no job left for the deleted endpoint' },
      );
      const sentAfterDelete = doomed.total - sentBeforeDelete;
      const sentWhenSettled = doomed.total;
      expect((await h.api.call('GET', `/v1/endpoints/${b.id}/deliveries`)).status).toBe(404);
      // Its dead letter went with it: nothing of the deleted endpoint in the dead letter, once the
      // log has every change.
      await h.untilLogged();
      const deadLetter = new Set(
        (await h.api.list<{ id: string }>('/v1/dead-letter')).map((d) => d.id),
      );
      expect(doomedIds.filter((id) => deadLetter.has(id))).toEqual([]);
      const droppedByDispatcher = logs().filter(
        (l) => l.msg === 'endpoint deleted; delivery dropped',
      ).length;

      // Nothing crashed or got stuck: the same two dispatchers deliver what comes next.
      const goodAfter = await publishAll(h.api, 100, {
        batchSize: 100,
        event: (i) => ({ name: 'good.order', data: { i } }),
      });
      await waitFor(() => good.delivered >= 300, {
        timeoutMs: 60_000,
        message: 'deliveries after the poison',
      });
      expect(h.liveDispatchers).toEqual([d1, d2]);
      // Once dead, a delivery of the deleted endpoint is never sent again.
      expect(doomed.total).toBe(sentWhenSettled);
      expect((await queueCounts(h)).failed).toBe(0);
      const allGood = [...goodBefore, ...goodAfter];
      const goodDeliveries = (await Promise.all(allGood.map((e) => h.api.event(e.id)))).flatMap(
        (e) => e.deliveries,
      );
      expect(
        goodDeliveries.filter((d) => d.status !== 'delivered' || !good.successes.has(d.id)),
      ).toEqual([]);
      await queue.close();

      // The log: the good deliveries delivered with one attempt each, those of the deleted
      // endpoint dead (with the attempts made before it went), nothing of the ghost.
      const doomedSet = new Set(doomedIds);
      await expectLoggedOnce(
        h,
        [...allGood, ...doomedEvents].map((e) => e.id),
        [...deliveryIdsOf(allGood, [a.id]), ...doomedIds],
        (id) =>
          doomedSet.has(id)
            ? { status: 'dead', attempts: [0, doomed.arrivals.get(id) ?? 0] }
            : { status: 'delivered', attempts: [1, 1] },
      );
      expect(await h.context.log.getDeliveries([GHOST])).toEqual([]);

      report('poisoned-data', {
        schemaFailuresDropped: schemaFailures.length,
        ghostSent,
        unreadableChangesSkipped: skipped.length,
        deletedEndpoint: {
          deliveries: doomedIds.length,
          heldAtDelete,
          sentAfterDelete,
          droppedByDispatcher,
        },
        goodDelivered: goodDeliveries.length,
        totalSeconds: seconds(Date.now() - started),
      });
    },
  );
}, 240_000);

// A delivery's job is named after it: a dispatcher drops a job whose id is not the delivery id its
// data names (apps/dispatcher/src/deliver.ts), so the ghost above is never sent.
test("a job that is no delivery's is never sent", () => {
  expect(ghostSent).toBe(false);
});
