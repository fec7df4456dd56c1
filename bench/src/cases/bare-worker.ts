import type { BenchCase } from '../case';
import { atReceiver, publishBacklog, timeDrain } from '../drain-run';
import { freshPrefix } from '../hookline';
import { startRedisCount } from '../redis-usage';

/**
 * Reference for Hookline's drain: the same backlog published through the bare pipeline's batch
 * route with nothing delivering, then the bare worker (references/bare-worker.ts, its own process)
 * drains it, the pipeline still running beside it. Measured exactly as Hookline's (drain-run.ts).
 */
export const bareWorker: BenchCase = {
  id: 'bare-worker',
  title: 'bare worker drain',
  hookline: false,
  async run({ sizes, redis, receiver, bare, progress }) {
    const batches = Math.ceil(sizes.drainEvents / sizes.batchSize);
    const total = batches * sizes.batchSize;
    const prefix = freshPrefix('bare-drain');
    const tag = `bare-drain-${Date.now().toString(36)}`;
    const pipeline = await bare.startPipeline(prefix, receiver.url('c', tag), { connections: 4 });
    try {
      const publishMs = await publishBacklog(
        pipeline.api,
        { batches, batchSize: sizes.batchSize },
        progress,
      );
      const redisCount = await startRedisCount(redis);
      const worker = bare.startWorker(prefix);
      try {
        const { figures } = await timeDrain(
          { progress },
          {
            arrivals: atReceiver(receiver, tag),
            total,
            deliverer: worker,
            publisher: pipeline.child,
            redisCount,
          },
        );
        return { bareWorker: { ...figures, publishMs } };
      } finally {
        progress(1, 'stopping the worker');
        await worker.stop();
      }
    } finally {
      await pipeline.stop();
    }
  },
};
