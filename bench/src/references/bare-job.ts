import type { ConnectionOptions, JobsOptions } from 'bullmq';

/** The references' one queue (under the prefix the bench gives each case). */
export const BARE_QUEUE = 'webhooks';

/** What the bare pipeline queues and the bare worker delivers: the event and where it goes. */
export interface BareJob {
  url: string;
  event: { id: string; name: string; data: Record<string, unknown>; created_at: string };
}

/**
 * Retries left to BullMQ, as a team would: 8 attempts with exponential backoff. Nothing is kept
 * of a delivered job (no records: that is Hookline's extra work, which the ratios measure).
 */
export const BARE_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: true,
  removeOnFail: 10_000,
};

/** BullMQ's connection to `redis://host:port` (workers need no retry limit per request). */
export function bareConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}
