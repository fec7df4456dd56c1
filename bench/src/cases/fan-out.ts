import { count, inParallel, type BenchCase } from '../case';
import { nowMs } from '../clock';
import { freshPrefix } from '../hookline';
import { createEndpoint, eventJson } from '../hookline-api';
import { perSecond } from '../stats';

/**
 * Hookline fan-out: one event to many endpoints (created through the API, distinct paths on the
 * one receiver), producer and one dispatcher running. Timed from the publish request until the
 * last endpoint has its delivery. One delivery to one endpoint goes first, untimed, so the
 * dispatcher's first-request costs are not in the figure.
 */
export const fanOut: BenchCase = {
  id: 'fanout',
  title: 'Hookline fan-out',
  hookline: true,
  async run({ sizes, receiver, hookline, progress }) {
    const endpoints = sizes.fanoutEndpoints;
    const prefix = freshPrefix('fanout');
    const tag = `fanout-${Date.now().toString(36)}`;
    const producer = await hookline.startProducer(prefix, { connections: 16 });
    const dispatcher = await hookline.startDispatcher(prefix);
    const { api } = producer;
    try {
      progress(0, 'starting the dispatcher');
      await dispatcher.healthy;
      const ids: string[] = [];
      let created = 0;
      const setupStarted = nowMs();
      await inParallel(endpoints, 16, async (i) => {
        ids[i] = (await createEndpoint(api, receiver.url('c', tag, String(i)))).id;
        created += 1;
        if (created % 50 === 0)
          progress(
            (0.5 * created) / endpoints,
            `created ${count(created)}/${count(endpoints)} endpoints`,
          );
      });
      const setupMs = nowMs() - setupStarted;

      await api.expect(
        202,
        'POST',
        '/v1/events',
        eventJson('bench.warmup', 0, { endpoint_ids: [ids[0]] }),
      );
      await receiver.waitForCount(tag, 1, { timeoutMs: 30_000 });

      progress(0.5, 'publishing one event');
      const started = nowMs();
      const answer = await api.expect<{ deliveries: number }>(
        202,
        'POST',
        '/v1/events',
        eventJson('bench.fanout', 1),
      );
      const publishMs = nowMs() - started;
      if (answer.deliveries !== endpoints)
        throw new Error(`the event went to ${answer.deliveries} endpoints, not ${endpoints}`);
      const stats = await receiver.waitForCount(tag, endpoints + 1, {
        timeoutMs: 120_000,
        intervalMs: 20,
        onProgress: (s) =>
          progress(
            0.5 + (0.5 * (s.count - 1)) / endpoints,
            `${count(s.count - 1)}/${count(endpoints)} delivered`,
          ),
      });
      const ms = stats.lastAt! - started;
      return { fanout: { endpoints, ms, publishMs, perSecond: perSecond(endpoints, ms), setupMs } };
    } finally {
      await dispatcher.stop();
      await producer.stop();
    }
  },
};
