import { Agent } from 'node:http';
import { generateSecret, sign } from '@hookline/webhooks';
import { Queue, Worker, type Job } from 'bullmq';
import { count, type BenchCase } from '../case';
import { bullConnection, enqueue } from '../bullmq';
import { nowMs } from '../clock';
import { freshPrefix } from '../hookline';
import { startRedisCount } from '../redis-usage';
import { eventData } from '../payload';
import { perSecond } from '../stats';

interface PeerJob {
  url: string;
  secret: string;
  event: { id: string; name: string; data: Record<string, unknown>; created_at: string };
}

/**
 * The peer: the webhook worker a team would write in an afternoon. Each job carries the event,
 * the URL and the secret; a BullMQ worker signs the body (Standard Webhooks, `sign()`), POSTs it
 * with got over keep-alive, and leaves retries to BullMQ (`attempts: 8`, exponential backoff).
 * Timed from the worker's start until the receiver has every delivery.
 */
export const peer: BenchCase = {
  id: 'peer',
  title: 'peer: BullMQ + got',
  hookline: false,
  async run({ sizes, redis, receiver, progress }) {
    const total = sizes.peerEvents;
    const tag = `peer-${Date.now().toString(36)}`;
    const url = receiver.url('c', tag);
    const secret = generateSecret();
    const prefix = freshPrefix('peer');
    // got is ESM-only; from CommonJS it is loaded the way such a worker would load it.
    const { got } = await import('got');
    const agent = new Agent({ keepAlive: true });
    const queue = new Queue('webhooks', { connection: bullConnection(redis.port), prefix });
    let worker: Worker | undefined;
    try {
      const createdAt = new Date().toISOString();
      await enqueue(
        queue,
        total,
        (i): PeerJob & Record<string, unknown> => ({
          url,
          secret,
          event: { id: `evt_${i}`, name: 'bench.peer', data: eventData(i), created_at: createdAt },
        }),
        { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: true },
        progress,
      );

      const redisCount = await startRedisCount(redis);
      const started = nowMs();
      worker = new Worker(
        'webhooks',
        async (job: Job<PeerJob>) => {
          const body = JSON.stringify(job.data.event);
          const id = `msg_${job.id ?? job.data.event.id}`;
          const timestamp = Math.floor(Date.now() / 1000);
          await got.post(job.data.url, {
            body,
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': sign({ id, timestamp, body, secrets: [job.data.secret] }),
            },
            agent: { http: agent },
            timeout: { request: 25_000 },
            retry: { limit: 0 },
          });
        },
        {
          connection: bullConnection(redis.port),
          prefix,
          concurrency: sizes.workerConcurrency,
          autorun: false,
        },
      );
      worker.run().catch(() => undefined);
      // CPU is counted from the first delivery on, as for the dispatcher: the steady state.
      let steady: { cpu: NodeJS.CpuUsage; count: number } | undefined;
      const stats = await receiver.waitForCount(tag, total, {
        timeoutMs: 180_000,
        intervalMs: 100,
        onProgress: (s) => {
          if (s.count > 0 && !steady) steady = { cpu: process.cpuUsage(), count: s.count };
          progress(s.count / total, `${count(s.count)}/${count(total)} delivered`);
        },
      });
      const cpu = process.cpuUsage(steady?.cpu);
      const redisUsage = await redisCount(total);
      const ms = stats.lastAt! - started;
      const firstToLastMs = stats.lastAt! - stats.firstAt!;
      return {
        peer: {
          count: total,
          ms,
          perSecond: perSecond(total, ms),
          firstToLast: {
            count: total - 1,
            ms: firstToLastMs,
            perSecond: perSecond(total - 1, firstToLastMs),
          },
          duplicates: stats.duplicates,
          redis: redisUsage,
          cpuMsPerDelivery:
            Math.round(((cpu.user + cpu.system) / 1000 / (total - (steady?.count ?? 0))) * 1000) /
            1000,
        },
      };
    } finally {
      await worker?.close();
      await queue.close();
      agent.destroy();
    }
  },
};
