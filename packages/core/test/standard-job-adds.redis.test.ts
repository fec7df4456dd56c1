import { createContext, type HooklineContext } from '../src/context';
import { execAll } from '../src/redis/exec';
import { deliveryIdFor, newId } from '../src/ids';
import { jobFor, JOBS, type DeliverJob } from '../src/queues';
import { StandardJobAdds } from '../src/bullmq/standard-job-adds';
import { cleanupPrefix, testPrefix, TEST_REDIS } from '../src/testing';

const prefix = testPrefix('job-adds');
let ctx: HooklineContext;

beforeAll(async () => {
  ctx = createContext(
    {
      ...TEST_REDIS,
      queuePrefix: prefix,
      retentionMs: 3_600_000,
      disableAfterMs: 60_000,
      // The log is never reached here (its pool connects on first use).
      logUrl: 'postgres://postgres@127.0.0.1:5432/hookline_unused',
    },
    'api',
  );
  await ctx.ready();
});
afterAll(async () => {
  await ctx.close();
  await cleanupPrefix(prefix);
});

/** A stand-in transaction that records the one script call made on it. */
function recorder() {
  const calls: { script: string; args: unknown[] }[] = [];
  const multi = new Proxy(
    {},
    {
      get: (_, script: string) =>
        script === 'runCommand'
          ? (name: string, args: unknown[]) => {
              calls.push({ script: name, args });
              return Promise.resolve('1');
            }
          : (args: unknown[]) => calls.push({ script, args }),
    },
  );
  return { multi, calls };
}

function deliverJob(): DeliverJob {
  const eventId = newId('evt');
  const endpointId = newId('ep');
  return {
    delivery_id: deliveryIdFor(eventId, endpointId),
    endpoint_id: endpointId,
    event_id: eventId,
    tenant_id: null,
    name: 'order.filled',
    resource_id: null,
    test: false,
    attempts: 0,
    body: JSON.stringify({ id: eventId, name: 'order.filled', data: {} }),
    traceparent: null,
  };
}

test("gives BullMQ's add script the arguments Job.addJob gives it, byte for byte", async () => {
  const data = deliverJob();
  const queue = ctx.queues.of(data.delivery_id).deliveries;

  const bullmq = recorder();
  void jobFor(queue, 'deliver', data, { jobId: data.delivery_id }).addJob(bullmq.multi as never);
  const ours = recorder();
  // The sample job the template is read from is BullMQ's too, but on no transaction of ours.
  const adds = new StandardJobAdds(queue, 'deliver', JOBS.deliver.options);
  // BullMQ stamps its job with Date.now(): give ours the same time.
  const { unpack } = await import('msgpackr');
  const timestamp = (unpack(bullmq.calls[0]!.args.at(-3) as Buffer) as unknown[])[3] as number;
  adds.add(ours.multi as never, data.delivery_id, data, timestamp);

  expect(bullmq.calls).toHaveLength(1);
  expect(ours.calls).toHaveLength(1);
  expect(ours.calls[0]!.script).toBe(bullmq.calls[0]!.script);
  // Packed arguments compared as bytes: msgpackr hands out views of a shared buffer.
  const bytes = (args: unknown[]) =>
    args.map((arg) => (arg instanceof Uint8Array ? Buffer.from(arg).toString('hex') : arg));
  expect(bytes(ours.calls[0]!.args)).toEqual(bytes(bullmq.calls[0]!.args));
});

test('a job it adds in a transaction is a BullMQ job with its data and options', async () => {
  const data = deliverJob();
  const queue = ctx.queues.of(data.delivery_id).deliveries;
  const adds = new StandardJobAdds(queue, 'deliver', JOBS.deliver.options);
  const multi = await ctx.publisher.transaction();
  adds.add(multi, data.delivery_id, data);
  const [id] = (await execAll(multi)) as string[];
  expect(id).toBe(data.delivery_id);

  const job = await queue.getJob(data.delivery_id);
  expect(job?.name).toBe('deliver');
  expect(job?.data).toEqual(data);
  expect(job?.opts).toMatchObject({
    jobId: data.delivery_id,
    attempts: JOBS.deliver.options.attempts,
    backoff: JOBS.deliver.options.backoff,
    removeOnComplete: false,
  });
  expect(await job?.getState()).toBe('waiting');

  // The same id again is refused by BullMQ as any second add of a job id is: nothing doubles.
  const again = await ctx.publisher.transaction();
  adds.add(again, data.delivery_id, data);
  await execAll(again);
  expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
});
