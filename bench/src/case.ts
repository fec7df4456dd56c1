import type { BareLauncher } from './bare-launcher';
import type { Cleanup } from './cleanup';
import type { HooklineLauncher } from './hookline';
import type { ReceiverClient } from './receiver-client';
import type { RedisServer } from './redis-server';
import type { CaseId, Results } from './results';
import type { Sizes } from './sizes';

/** What every case gets: the shared Redis and receiver, the sizes, and the progress line. */
export interface CaseContext {
  sizes: Sizes;
  redis: RedisServer;
  receiver: ReceiverClient;
  hookline: HooklineLauncher;
  /** The references (references/*.ts): the bare pipeline and the bare worker. */
  bare: BareLauncher;
  cleanup: Cleanup;
  /** Where `--profile` puts CPU profiles; undefined without it. */
  profileDir: string | undefined;
  /** This case's progress, 0–1, and what it is doing. */
  progress: (fraction: number, detail: string) => void;
  /** A line for the person watching (a warning), printed above the progress bar. */
  note: (line: string) => void;
}

export interface BenchCase {
  id: CaseId;
  title: string;
  /** Needs Hookline's producer and dispatcher built. */
  hookline: boolean;
  /**
   * What the case needs that this run was not given, if anything: then it is left out of a full
   * run, and fails when named in `--only`.
   */
  unmet?(): string | undefined;
  run(context: CaseContext): Promise<Partial<Results>>;
}

/** "12,345". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` at once. */
export async function inParallel(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, total) }, async () => {
    for (let i = next++; i < total; i = next++) await task(i);
  });
  await Promise.all(lanes);
}
