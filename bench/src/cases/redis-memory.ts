import type { ApiClient } from '../api-client';
import { count, type BenchCase, type CaseContext } from '../case';
import { nowMs, waitFor } from '../clock';
import { freshPrefix } from '../hookline';
import { batchBodies, createEndpoint, publishBatches } from '../hookline-api';
import { ask, askFor } from '../redis-server';

/** Redis's `used_memory` (INFO memory), bytes. */
async function usedMemory(port: number): Promise<number> {
  const info = await ask(port, 'INFO memory', 5_000);
  const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
  if (!Number.isFinite(used)) throw new Error('INFO memory answered no used_memory');
  return used;
}

/**
 * Whether everything published so far has settled and is logged, and Redis has forgotten it: the
 * change stream empty (a log writer deletes what the log has) and no finished delivery job left
 * (one goes once the log holds its final state). One shard: Hookline's default, `{<prefix>:0}`.
 */
async function settledAndLogged(port: number, prefix: string): Promise<boolean> {
  const shard = `{${prefix}:0}`;
  const [changes, completed, failed] = await Promise.all([
    askFor(port, `XLEN ${shard}:changes`),
    askFor(port, `ZCARD ${shard}:deliveries:completed`),
    askFor(port, `ZCARD ${shard}:deliveries:failed`),
  ]);
  return changes === 0 && completed === 0 && failed === 0;
}

/**
 * Publishes `batches` of 1,000 events (one endpoint: a delivery each), waits for the receiver to
 * have `total` in all, then for Redis to hold nothing of them. Returns the wait after the last
 * receipt, ms.
 */
async function deliverAndSettle(
  { api, tag, prefix }: { api: ApiClient; tag: string; prefix: string },
  { batches, firstSeq, total }: { batches: number; firstSeq: number; total: number },
  {
    redis,
    receiver,
    sizes,
    progress,
  }: Pick<CaseContext, 'redis' | 'receiver' | 'sizes' | 'progress'>,
): Promise<number> {
  const bodies = batchBodies('bench.memory', batches, sizes.batchSize, firstSeq);
  await publishBatches(api, bodies, 2, (done) =>
    progress(0.1, `publishing ${count(firstSeq + done * sizes.batchSize)}/${count(total)} events`),
  );
  await receiver.waitForCount(tag, total, {
    timeoutMs: 600_000,
    onProgress: (s) => progress(0.1 + (0.8 * s.count) / total, `${count(s.count)} delivered`),
  });
  const delivered = nowMs();
  progress(0.9, 'waiting for the log to have everything and Redis to forget it');
  await waitFor(
    'the change stream to empty and the finished jobs to go',
    async () => ((await settledAndLogged(redis.port, prefix)) ? true : undefined),
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  return nowMs() - delivered;
}

/**
 * What traffic leaves in Redis once it has settled and is logged: Redis's used memory with nothing
 * moving, before and after `memoryDeliveries` (producer and one dispatcher running, default
 * settings). One batch goes first, untimed, so that what lives as long as the deployment (the
 * queues' keys, the change stream and its consumer group) is there before the first reading.
 */
export const redisMemory: BenchCase = {
  id: 'redis-memory',
  title: 'Hookline Redis memory, settled and logged',
  hookline: true,
  async run(context) {
    const { sizes, redis, receiver, hookline, progress } = context;
    const batches = Math.ceil(sizes.memoryDeliveries / sizes.batchSize);
    const prefix = freshPrefix('memory');
    const tag = `memory-${Date.now().toString(36)}`;
    const producer = await hookline.startProducer(prefix, { connections: 4 });
    const dispatcher = await hookline.startDispatcher(prefix);
    try {
      progress(0, 'starting the dispatcher');
      await dispatcher.healthy;
      await createEndpoint(producer.api, receiver.url('c', tag));
      const run = { api: producer.api, tag, prefix };
      await deliverAndSettle(run, { batches: 1, firstSeq: 0, total: sizes.batchSize }, context);
      const beforeBytes = await usedMemory(redis.port);
      const settleMs = await deliverAndSettle(
        run,
        {
          batches,
          firstSeq: sizes.batchSize,
          total: sizes.batchSize + batches * sizes.batchSize,
        },
        context,
      );
      const afterBytes = await usedMemory(redis.port);
      return {
        redisMemory: {
          deliveries: batches * sizes.batchSize,
          beforeBytes,
          afterBytes,
          growthBytes: afterBytes - beforeBytes,
          settleMs,
        },
      };
    } finally {
      await dispatcher.stop();
      await producer.stop();
    }
  },
};
