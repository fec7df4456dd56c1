import type { BenchCase } from '../case';
import { freshPrefix } from '../hookline';
import { createEndpoint } from '../hookline-api';
import { measureSteady } from '../steady-run';

/**
 * Hookline end to end at a steady rate: single publishes to one endpoint, the producer and one
 * dispatcher running. Measured exactly as the bare pipeline and worker (steady-run.ts).
 */
export const endToEnd: BenchCase = {
  id: 'e2e',
  title: 'Hookline end to end',
  hookline: true,
  async run(context) {
    const { receiver, hookline, progress } = context;
    const prefix = freshPrefix('e2e');
    const tag = `e2e-${Date.now().toString(36)}`;
    const producer = await hookline.startProducer(prefix, { connections: 64 });
    const dispatcher = await hookline.startDispatcher(prefix);
    try {
      progress(0, 'starting the dispatcher');
      await dispatcher.healthy;
      await createEndpoint(producer.api, receiver.url('r', tag));
      return { e2e: await measureSteady({ api: producer.api, tag }, context) };
    } finally {
      await dispatcher.stop();
      await producer.stop();
    }
  },
};
