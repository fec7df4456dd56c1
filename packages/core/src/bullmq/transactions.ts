import type { ChainableCommander, Redis } from 'ioredis';

/** BullMQ's scripts that add a job: all that `Job.addJob(multi)` runs on a transaction. */
const JOB_ADD_SCRIPT = /^add(Standard|Delayed|Prioritized|Parent)Job:/;

interface LoadedScript {
  lua: string;
  numberOfKeys: number | null;
}

/**
 * Transactions that BullMQ jobs can be added to (`Job.addJob(multi)`), together with Hookline's
 * records: a publish, a dead-lettering with its report, an endpoint write with its report.
 *
 * They run on Hookline's connection, which knows only Hookline's scripts and, copied here, BullMQ's
 * job-add scripts. An ioredis transaction copies every script its connection knows when it is
 * opened, and BullMQ's connection knows some 70: opening a transaction there cost ~27 µs and
 * ~12 KB per publish, measured. Keys of one transaction share one hash tag (keys.ts).
 */
export class Transactions {
  private ready: Promise<void> | undefined;

  /**
   * @param connection Hookline's connection, with its scripts defined (`createRedis`).
   * @param bullmqClient resolves to the connection BullMQ has loaded its scripts into, once it
   *   has: the job-add scripts are copied from there, so they are always the installed BullMQ's.
   */
  constructor(
    readonly connection: Redis,
    private readonly bullmqClient: () => Promise<unknown>,
  ) {}

  private async copyJobScripts(): Promise<void> {
    const loaded = (await this.bullmqClient()) as { scriptsSet: Record<string, LoadedScript> };
    const names = Object.keys(loaded.scriptsSet).filter((name) => JOB_ADD_SCRIPT.test(name));
    if (names.length === 0) throw new Error("BullMQ's job-add scripts were not found");
    for (const name of names) {
      const { lua, numberOfKeys } = loaded.scriptsSet[name]!;
      this.connection.defineCommand(name, { lua, numberOfKeys: numberOfKeys ?? undefined });
    }
  }

  /** A new transaction (MULTI … EXEC once executed). */
  async open(): Promise<ChainableCommander> {
    this.ready ??= this.copyJobScripts().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const multi = this.connection.multi() as ChainableCommander & {
      runCommand?: (name: string, args: unknown[]) => ChainableCommander;
    };
    // How BullMQ queues a script on a transaction (its own ioredis wrapper does the same).
    multi.runCommand = (name, args) =>
      (multi as unknown as Record<string, (a: unknown[]) => ChainableCommander>)[name]!(args);
    return multi;
  }
}
