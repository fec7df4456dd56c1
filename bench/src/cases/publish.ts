import type { BenchCase } from '../case';
import { newestProfile, readProfile } from '../cpu-profile';
import { freshPrefix } from '../hookline';
import { createEndpoint } from '../hookline-api';
import { measurePublish } from '../publish-run';

/**
 * Hookline's publish path alone (no dispatcher), one endpoint subscribed so every event creates
 * one delivery. Measured exactly as the bare pipeline's (publish-run.ts).
 */
export const publish: BenchCase = {
  id: 'publish',
  title: 'Hookline publish',
  hookline: true,
  async run({ sizes, redis, receiver, hookline, profileDir, progress }) {
    const prefix = freshPrefix('publish');
    const connections = Math.max(sizes.singleConcurrency, sizes.batchConcurrency);
    const profileSince = Date.now();
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const producer = await hookline.startProducer(prefix, { connections, nodeArgs });
    try {
      progress(0, 'creating the endpoint');
      await createEndpoint(producer.api, receiver.url('c', `publish-${Date.now().toString(36)}`));
      const { figures, windows } = await measurePublish(
        { api: producer.api, service: producer.child, redis, sizes },
        progress,
      );
      await producer.stop();
      const profile = profileDir ? newestProfile(profileDir, profileSince) : undefined;
      return {
        publish: figures,
        ...(profile
          ? {
              profiles: {
                producerBatch: readProfile(profile, windows.batch),
                producerSingle: readProfile(profile, windows.single),
              },
            }
          : {}),
      };
    } finally {
      await producer.stop();
    }
  },
};
