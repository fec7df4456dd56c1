// The bare pipeline: the publishing half of what a team writes in an afternoon. An express app
// whose routes check a bearer key, validate a little with zod and call BullMQ's `queue.add` (one
// event) or `queue.addBulk` (a batch). The reference for Hookline's producer; it takes the same
// request bodies on the same paths, so the bench's load generator is the same code for both.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { BARE_JOB_OPTIONS, BARE_QUEUE, bareConnection, type BareJob } from './bare-job';

const Config = z.object({
  REDIS_URL: z.url(),
  BARE_PREFIX: z.string().min(1),
  BARE_API_KEY: z.string().min(1),
  /** The team's one subscriber: every event goes to it. */
  BARE_ENDPOINT_URL: z.url(),
  PORT: z.coerce.number().int().positive(),
});
type Config = z.infer<typeof Config>;
const config: Config = Config.parse(process.env);

const PublishEvent = z.object({
  name: z.string().min(1).max(200),
  data: z.record(z.string(), z.unknown()),
});
type PublishEvent = z.infer<typeof PublishEvent>;
const PublishBatch = z.object({ events: z.array(PublishEvent).min(1).max(1_000) });

const queue = new Queue<BareJob>(BARE_QUEUE, {
  connection: bareConnection(config.REDIS_URL),
  prefix: config.BARE_PREFIX,
});

function jobOf(input: PublishEvent): BareJob {
  return {
    url: config.BARE_ENDPOINT_URL,
    event: {
      id: `evt_${randomUUID()}`,
      name: input.name,
      data: input.data,
      created_at: new Date().toISOString(),
    },
  };
}

const app = express();
app.use(express.json({ limit: '1mb' }));
app.use((req: Request, res: Response, next: NextFunction) => {
  if (req.get('authorization') === `Bearer ${config.BARE_API_KEY}`) next();
  else res.status(401).json({ error: 'unauthorized' });
});

app.post('/v1/events', async (req: Request, res: Response) => {
  const input = PublishEvent.safeParse(req.body);
  if (!input.success) {
    res.status(422).json({ error: z.prettifyError(input.error) });
    return;
  }
  const job = jobOf(input.data);
  await queue.add('deliver', job, BARE_JOB_OPTIONS);
  res.status(202).json({ id: job.event.id, deliveries: 1 });
});

app.post('/v1/events/batch', async (req: Request, res: Response) => {
  const input = PublishBatch.safeParse(req.body);
  if (!input.success) {
    res.status(422).json({ error: z.prettifyError(input.error) });
    return;
  }
  const jobs = input.data.events.map(jobOf);
  await queue.addBulk(jobs.map((data) => ({ name: 'deliver', data, opts: BARE_JOB_OPTIONS })));
  res.status(202).json({ data: jobs.map((job) => ({ id: job.event.id, deliveries: 1 })) });
});

void queue.waitUntilReady().then(() => {
  const server = app.listen(config.PORT, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => {
    server.close();
    server.closeIdleConnections();
    void queue.close().finally(() => process.exit(0));
  });
});
