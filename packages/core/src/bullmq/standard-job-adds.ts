import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { Packr } from 'msgpackr';

/** How BullMQ's Redis backend packs a job's arguments and options for its add scripts. */
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

/** Marks the job id in the sample job the template is read from. */
const SAMPLE_ID = 'hookline-template-job';

/** What every add of one queue and job name shares, read once from BullMQ's own add. */
interface Template {
  /** The add script's name as the transaction knows it (`addStandardJob:<BullMQ version>`). */
  script: string;
  keys: readonly unknown[];
  /** The script's packed arguments, unpacked: the job id and timestamp are replaced per job. */
  args: unknown[];
  jobIdAt: number;
  timestampAt: number;
  /** The job's options as BullMQ encodes them; the job id among them is replaced per job. */
  opts: Record<string, unknown>;
  optsJobIdKey: string;
}

type ScriptCall = (args: unknown[]) => ChainableCommander;

/**
 * Adds standard BullMQ jobs (no delay, priority or parent) of one queue and job name to a
 * transaction with the arguments `new Job(…).addJob(multi)` gives BullMQ's add script, without
 * building a `Job` for each: a Job's constructor, `asJSON` (three `JSON.stringify` of nulls),
 * option checks and encoding ran once per delivery of every publish (~8 µs a job, measured over
 * 20,000; ~3 µs this way). What every add shares (keys, script, encoded options) is read once
 * from BullMQ's own add of a sample job, so it is always the installed BullMQ's; per job only
 * the id, timestamp and data change. `test/standard-job-adds.redis.test.ts` checks the arguments
 * byte for byte against BullMQ's.
 */
export class StandardJobAdds {
  private template: Template | undefined;

  constructor(
    private readonly queue: Queue,
    private readonly name: string,
    private readonly options: JobsOptions,
  ) {}

  /** Queues the add of job `jobId` with `data` (already validated) on `multi`. */
  add(multi: ChainableCommander, jobId: string, data: unknown, timestamp = Date.now()): void {
    const t = (this.template ??= this.readTemplate());
    const args = t.args.slice();
    args[t.jobIdAt] = jobId;
    args[t.timestampAt] = timestamp;
    const opts = { ...t.opts, [t.optsJobIdKey]: jobId };
    const call = (multi as unknown as Record<string, ScriptCall>)[t.script];
    if (!call) throw new Error(`the transaction does not know BullMQ's ${t.script}`);
    call.call(multi, [...t.keys, packr.pack(args), JSON.stringify(data), packr.pack(opts)]);
  }

  /** BullMQ's arguments for a sample job, captured from `Job.addJob` on a stand-in transaction. */
  private readTemplate(): Template {
    const job = new Job(
      this.queue,
      this.name,
      {},
      { ...this.options, jobId: SAMPLE_ID },
      SAMPLE_ID,
    );
    let captured: { script: string; args: unknown[] } | undefined;
    const standIn = {
      runCommand: (script: string, args: unknown[]) => {
        captured = { script, args };
        return Promise.resolve(SAMPLE_ID);
      },
    };
    // Job.addJob calls runCommand synchronously, before its first await.
    void job.addJob(standIn as never);
    if (!captured || !captured.script.startsWith('addStandardJob:'))
      throw new Error(`BullMQ added the sample job with ${captured?.script ?? 'nothing'}`);
    const all = captured.args;
    const keys = all.slice(0, -3);
    const args = packr.unpack(all[all.length - 3] as Buffer) as unknown[];
    const opts = packr.unpack(all[all.length - 1] as Buffer) as Record<string, unknown>;
    const jobIdAt = args.indexOf(SAMPLE_ID);
    const timestampAt = args.indexOf(job.timestamp);
    const optsJobIdKey = Object.keys(opts).find((key) => opts[key] === SAMPLE_ID);
    if (jobIdAt < 0 || timestampAt < 0 || optsJobIdKey === undefined)
      throw new Error("BullMQ's job-add arguments no longer name the job id and timestamp");
    return { script: captured.script, keys, args, jobIdAt, timestampAt, opts, optsJobIdKey };
  }
}
