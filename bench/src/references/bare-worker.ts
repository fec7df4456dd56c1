// The bare worker: the delivering half of what a team writes in an afternoon with BullMQ, undici
// and Standard Webhooks signatures. No delivery records, no per-endpoint state; retries are
// BullMQ's. The reference for Hookline's dispatcher, started by the bench as a process as the
// dispatcher is, so the two are measured alike.
import { sign } from '@hookline/webhooks';
import { Worker, type Job } from 'bullmq';
import { request } from 'undici';
import { z } from 'zod';
import { BARE_QUEUE, bareConnection, type BareJob } from './bare-job';

const Config = z.object({
  REDIS_URL: z.url(),
  BARE_PREFIX: z.string().min(1),
  BARE_SECRET: z.string().startsWith('whsec_'),
  /** In-flight deliveries; Hookline's dispatcher's default. */
  BARE_CONCURRENCY: z.coerce.number().int().positive().default(100),
});
type Config = z.infer<typeof Config>;
const config: Config = Config.parse(process.env);
const secrets = [config.BARE_SECRET];

async function deliver(job: Job<BareJob>): Promise<void> {
  const { url, event } = job.data;
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  // undici's global keep-alive pool: what `request(url)` gives anyone who does not configure one.
  const response = await request(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign({ id: event.id, timestamp, body, secrets }),
    },
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299)
    throw new Error(`${url} answered ${response.statusCode}`);
}

const worker = new Worker<BareJob>(BARE_QUEUE, deliver, {
  connection: bareConnection(config.REDIS_URL),
  prefix: config.BARE_PREFIX,
  concurrency: config.BARE_CONCURRENCY,
});
worker.on('error', (error) => process.stderr.write(`bare worker: ${error.message}\n`));

process.on('SIGTERM', () => {
  void worker.close().finally(() => process.exit(0));
});

void worker.waitUntilReady().then(() => process.stdout.write('ready\n'));
