import { waitFor } from '@hookline/core/testing';
import { Queue } from 'bullmq';
import { queueCounts } from './harness/inspect';
import { publishAll } from './harness/load';
import { Receiver } from './harness/receiver';
import { report, seconds, withHookline } from './harness/scenario';

// Scenario 6: data a dispatcher cannot deliver. A job whose data fails its schema, a job for a
// delivery that does not exist, an endpoint deleted while its deliveries are queued and in flight,
// an event that expired before its delivery ran: each is dead-lettered or dropped, and logged, and
// none crashes a dispatcher or holds up the good deliveries queued behind it.

let good: Receiver;
let doomed: Receiver;
let expiring: Receiver;
beforeAll(async () => {
  good = await Receiver.start();
  // Slow failures, so that deliveries are in flight and waiting to retry when their endpoint goes.
  doomed = await Receiver.start(() => ({ kind: 'status', status: 500, delayMs: 500 }));
  expiring = await Receiver.start();
});
afterAll(async () => {
  await Promise.all([good.close(), doomed.close(), expiring.close()]);
});

test('poisoned jobs, a deleted endpoint and an expired event are dead-lettered or dropped, logged, and block nothing', async () => {
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
      const c = await h.api.createEndpoint(expiring.url('/c'), { event_types: ['expiring.*'] });

      // The poison goes into the shard a delivery id of slot 0 names (shard 0, as the ghost's id
      // below, whatever HOOKLINE_SHARDS is).
      const queue = new Queue('deliveries', { connection: h.redis, prefix: h.keys.shard(0) });
      const junk = await queue.add('deliver', { delivery_id: 'junk' });
      const notAnObject = await queue.add('deliver', 'not even an object');
      const ghost = await queue.add('deliver', {
        delivery_id: 'whd_01M00000000000000000000000',
        endpoint_id: a.id,
        event_id: 'evt_01M00000000000000000000000',
      });

      // An event whose body is gone (expired) before any dispatcher gets to its delivery.
      const expired = await h.api.publish({ name: 'expiring.soon', data: {} });
      expect(expired.status).toBe(202);
      const [expiredDelivery] = (await h.api.event(expired.body.id)).deliveries;
      expect(await h.redis.del(h.keys.event(expired.body.id))).toBe(1);

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
        () =>
          logs().some(
            (l) =>
              l.msg.startsWith('delivery no longer exists') &&
              l.delivery === 'whd_01M00000000000000000000000',
          ),
        {
          timeoutMs: 30_000,
          message: 'the job for a delivery that does not exist to be dropped',
        },
      );
      for (const job of [junk, notAnObject, ghost]) {
        expect(['completed', 'unknown']).toContain(await queue.getJobState(job.id!));
      }

      // The expired event: dead-lettered, logged, never sent.
      await waitFor(async () => (await h.api.delivery(expiredDelivery!.id)).status === 'dead', {
        timeoutMs: 30_000,
        message: 'the delivery of the expired event to be dead',
      });
      expect((await h.api.delivery(expiredDelivery!.id)).attempts).toEqual([]);
      expect((await h.api.list<{ id: string }>('/v1/dead-letter')).map((d) => d.id)).toContain(
        expiredDelivery!.id,
      );
      expect(logs().some((l) => l.delivery === expiredDelivery!.id && /expired/.test(l.msg))).toBe(
        true,
      );
      expect(expiring.total).toBe(0);

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
      // Its dead letter went with it: nothing of the deleted endpoint in the dead letter.
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

      report('poisoned-data', {
        schemaFailuresDropped: schemaFailures.length,
        ghostJobDropped: true,
        expiredEventDeadLettered: true,
        deletedEndpoint: {
          deliveries: doomedIds.length,
          heldAtDelete,
          sentAfterDelete,
          droppedByDispatcher,
        },
        goodDelivered: goodDeliveries.length,
        totalSeconds: seconds(Date.now() - started),
      });
      void c;
    },
  );
}, 240_000);
