import type { ConnectionOptions, JobsOptions, Queue } from 'bullmq';
import { count } from './case';

/** Connection options for BullMQ against the bench's Redis (workers need no retry limit). */
export function bullConnection(port: number): ConnectionOptions {
  return { host: '127.0.0.1', port, maxRetriesPerRequest: null };
}

/**
 * Queues `total` jobs made by `data(i)` in `addBulk` chunks of 1,000 (one round trip each), the
 * way a producer that batches would. Not part of any timed figure.
 */
export async function enqueue(
  queue: Queue,
  total: number,
  data: (i: number) => Record<string, unknown>,
  options: JobsOptions,
  progress: (fraction: number, detail: string) => void,
): Promise<void> {
  for (let start = 0; start < total; start += 1_000) {
    const end = Math.min(total, start + 1_000);
    const jobs = Array.from({ length: end - start }, (_, k) => ({
      name: 'job',
      data: data(start + k),
      opts: options,
    }));
    await queue.addBulk(jobs);
    progress(0, `queueing ${count(end)}/${count(total)} jobs`);
  }
}
