import { Hookline, type Deployment, type HooklineOptions } from './hookline';

/** One line per scenario, `FAULTS <name> {json}`, easy to grep out of a CI log. */
export function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`\nFAULTS ${name} ${JSON.stringify(figures)}\n`);
}

/**
 * Runs `body` against a fresh Hookline and tears it down after. When the body fails, the last
 * output of every process is printed with the error, which is where the why usually is.
 */
export function withHookline<T>(
  options: HooklineOptions,
  body: (h: Hookline) => Promise<T>,
): Promise<T> {
  return withDeployment(() => Hookline.start(options), body);
}

/** {@link withHookline} for any kind of deployment (a Redis Cluster's, say). */
export async function withDeployment<D extends Deployment, T>(
  start: () => Promise<D>,
  body: (h: D) => Promise<T>,
): Promise<T> {
  const h = await start();
  try {
    return await body(h);
  } catch (error) {
    process.stderr.write(`\n===== scenario failed: process output =====\n${h.dumpLogs()}\n`);
    throw error;
  } finally {
    await h.destroy();
  }
}

/** A seeded PRNG (mulberry32): a failed run says its seed, and `FAULTS_SEED` replays it. */
export function seededRandom(label: string): { random: () => number; seed: number } {
  const seed = process.env.FAULTS_SEED
    ? Number(process.env.FAULTS_SEED)
    : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`FAULTS ${label} seed=${seed} (replay with FAULTS_SEED=${seed})\n`);
  let a = seed;
  return {
    seed,
    random: () => {
      a |= 0;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export const seconds = (ms: number) => Math.round(ms / 100) / 10;
