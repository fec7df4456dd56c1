import type { Env } from './connection';
import type { Io } from './io';

/** What every command is given: `main.ts` fills it from the process, tests from their own. */
export interface ProgramContext {
  io: Io;
  env: Env;
  /**
   * Registers what to do on SIGINT/SIGTERM (`listen` closes its server and returns). A command
   * that registers nothing is simply ended by the signal.
   */
  onStop: (stop: () => void) => void;
  /** For `listen --fail-rate`. Default `Math.random`. */
  random?: () => number;
  /** The clock `--since 24h` and `--until 30m` count back from, in ms. Default `Date.now`. */
  now?: () => number;
}
