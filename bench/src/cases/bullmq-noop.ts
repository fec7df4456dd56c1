import { Queue, Worker } from 'bullmq';
import { count, type BenchCase } from '../case';
import { bullConnection, enqueue } from '../bullmq';
import { waitFor } from '../clock';
import { freshPrefix } from '../hookline';
import { perSecond } from '../stats';

/**
 * Ceiling 2: the queue half of a delivery alone. Jobs shaped like Hookline's deliver jobs (three
 * ids), drained by a BullMQ worker that does nothing, `workerConcurrency` at a time, timed from
 * the worker's start until every job has completed.
 */
export const bullmqNoop: BenchCase = {
  id: 'bullmq-noop',
  title: 'ceiling: BullMQ no-op',
  hookline: false,
  async run({ sizes, redis, progress }) {
    const total = sizes.noopJobs;
    const prefix = freshPrefix('noop');
    const queue = new Queue('noop', { connection: bullConnection(redis.port), prefix });
    let worker: Worker | undefined;
    try {
      await enqueue(
        queue,
        total,
        (i) => ({
          delivery_id: `whd_${i.toString().padStart(26, '0')}`,
          endpoint_id: 'ep_bench',
          event_id: `evt_${i}`,
        }),
        { removeOnComplete: true },
        progress,
      );
      let completed = 0;
      const started = performance.now();
      let finished = 0;
      worker = new Worker('noop', () => Promise.resolve(), {
        connection: bullConnection(redis.port),
        prefix,
        concurrency: sizes.workerConcurrency,
        autorun: false,
      });
      worker.on('completed', () => {
        completed += 1;
        if (completed === total) finished = performance.now();
      });
      worker.run().catch(() => undefined);
      await waitFor(
        `${count(total)} no-op jobs to complete`,
        () => {
          progress(completed / total, `${count(completed)}/${count(total)} jobs`);
          return completed >= total ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      const ms = finished - started;
      return {
        bullmqNoop: {
          count: total,
          ms,
          perSecond: perSecond(total, ms),
          concurrency: sizes.workerConcurrency,
        },
      };
    } finally {
      await worker?.close();
      await queue.close();
    }
  },
};
