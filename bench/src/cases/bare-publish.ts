import type { BenchCase } from '../case';
import { freshPrefix } from '../hookline';
import { measurePublish } from '../publish-run';

/**
 * Reference for Hookline's publish: the bare pipeline (references/bare-pipeline.ts, its own
 * process; `queue.add` per event, `queue.addBulk` per batch) under the same load, nothing
 * delivering. Measured exactly as the producer (publish-run.ts).
 */
export const barePublish: BenchCase = {
  id: 'bare-publish',
  title: 'bare pipeline publish',
  hookline: false,
  async run({ sizes, redis, receiver, bare, progress }) {
    const prefix = freshPrefix('bare-publish');
    const connections = Math.max(sizes.singleConcurrency, sizes.batchConcurrency);
    const pipeline = await bare.startPipeline(
      prefix,
      receiver.url('c', `bare-publish-${Date.now().toString(36)}`),
      { connections },
    );
    try {
      const { figures } = await measurePublish(
        { api: pipeline.api, service: pipeline.child, redis, sizes },
        progress,
      );
      return { barePublish: figures };
    } finally {
      await pipeline.stop();
    }
  },
};
