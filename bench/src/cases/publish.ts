import type { BenchCase, CaseContext } from '../case';
import { newestProfile, readProfile, type ProfileRef } from '../cpu-profile';
import { freshPrefix, type HooklineLauncher } from '../hookline';
import { createEndpoint } from '../hookline-api';
import { measurePublish } from '../publish-run';
import type { PublishFigures } from '../results';
import { withTracing } from '../traced-run';

/**
 * Hookline's publish path alone (no dispatcher), one endpoint subscribed so every event creates
 * one delivery. Measured exactly as the bare pipeline's (publish-run.ts).
 */
async function measureHooklinePublish(
  { sizes, redis, receiver, profileDir, progress }: CaseContext,
  hookline: HooklineLauncher,
): Promise<{
  figures: PublishFigures;
  requests: number;
  profiles: { batch: ProfileRef; single: ProfileRef } | undefined;
}> {
  const prefix = freshPrefix('publish');
  const connections = Math.max(sizes.singleConcurrency, sizes.batchConcurrency);
  const profileSince = Date.now();
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const producer = await hookline.startProducer(prefix, { connections, nodeArgs });
  try {
    progress(0, 'creating the endpoint');
    await createEndpoint(producer.api, receiver.url('c', `publish-${Date.now().toString(36)}`));
    const { figures, requests, windows } = await measurePublish(
      { api: producer.api, service: producer.child, redis, sizes },
      progress,
    );
    await producer.stop();
    const profile = profileDir ? newestProfile(profileDir, profileSince) : undefined;
    return {
      figures,
      requests,
      profiles: profile
        ? {
            batch: readProfile(profile, windows.batch),
            single: readProfile(profile, windows.single),
          }
        : undefined,
    };
  } finally {
    await producer.stop();
  }
}

export const publish: BenchCase = {
  id: 'publish',
  title: 'Hookline publish',
  hookline: true,
  async run(context) {
    const { figures, profiles } = await measureHooklinePublish(context, context.hookline);
    return {
      publish: figures,
      ...(profiles
        ? { profiles: { producerBatch: profiles.batch, producerSingle: profiles.single } }
        : {}),
    };
  },
};

/** The same publishes with the producer exporting every span. */
export const publishTraced: BenchCase = {
  id: 'publish-traced',
  title: 'Hookline publish, tracing on',
  hookline: true,
  async run(context) {
    const { result, tracing } = await withTracing(
      context,
      (traced) => measureHooklinePublish(context, traced),
      { service: 'hookline-producer', per: 'publish request', units: (r) => r.requests },
    );
    const { figures, profiles } = result;
    return {
      publishTraced: { ...figures, tracing },
      ...(profiles
        ? {
            profiles: {
              producerBatchTraced: profiles.batch,
              producerSingleTraced: profiles.single,
            },
          }
        : {}),
    };
  },
};
