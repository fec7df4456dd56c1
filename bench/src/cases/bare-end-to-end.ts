import type { BenchCase } from '../case';
import { freshPrefix } from '../hookline';
import { measureSteady } from '../steady-run';

/**
 * Reference for Hookline end to end: the bare pipeline with the bare worker behind it, at the
 * same rate, to the same receiver. Measured exactly as Hookline (steady-run.ts).
 */
export const bareEndToEnd: BenchCase = {
  id: 'bare-e2e',
  title: 'bare pipeline end to end',
  hookline: false,
  async run(context) {
    const { receiver, bare, progress } = context;
    const prefix = freshPrefix('bare-e2e');
    const tag = `bare-e2e-${Date.now().toString(36)}`;
    const pipeline = await bare.startPipeline(prefix, receiver.url('r', tag), { connections: 64 });
    const worker = bare.startWorker(prefix);
    try {
      progress(0, 'starting the worker');
      await worker.ready;
      return { bareE2e: await measureSteady({ api: pipeline.api, tag }, context) };
    } finally {
      await worker.stop();
      await pipeline.stop();
    }
  },
};
