import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis, Result } from 'ioredis';
import type { HealthArgs } from './catalog/health-args';
import type { PutEndpointArgs } from './catalog/put-endpoint-args';
import type { RateLimitArgs } from './catalog/rate-limit-args';
import type { ForgetArgs } from './log/job-sweeper';
import type { RecordArgs } from './in-flight/record';
import type { LineUpArgs } from './ordering/line-up';
import type { FrontLaneArgs } from './in-flight/front-lane';
import type { TenantBudgetArgs } from './catalog/tenant-budget-args';
import type { RequeueArgs } from './in-flight/requeue';
import type { RotateOperatorKeyArgs, TouchOperatorKeyArgs } from './catalog/operator-key-args';

// Lua scripts that move a delivery between states, or write an endpoint, in one round trip,
// atomically: a process killed between "attempt recorded" and "status changed" (or
// "dead-lettered") cannot leave a delivery half-moved, because there is no between. Each script
// is a file of its own in commands/, named with its key count, whose header names every KEY and
// ARGV; the build copies them beside the compiled code (package.json, `build`).

/** A script's text, read once when this module loads. */
function command(file: string): string {
  return readFileSync(path.join(__dirname, 'commands', file), 'utf8');
}

/**
 * ioredis command name → the script and its key count. The key count is the number in the
 * file's name, so the two cannot drift apart.
 */
const SCRIPTS = {
  /** Records an attempt (optional) and moves a delivery in flight to a new status: `commands/record-2.lua`. */
  hlRecord: 'record-2.lua',
  /** Appends published events' changes in one shard: `commands/publish-1.lua`. */
  hlPublish: 'publish-1.lua',
  /** Moves a tenant's first deliveries of a window to the front of the wait list: `commands/front-lane-1.lua`. */
  hlFrontLane: 'front-lane-1.lua',
  /** Puts an ordered endpoint's delivery at the back of its line: `commands/line-up-5.lua`. */
  hlLineUp: 'line-up-5.lua',
  /** Removes finished delivery jobs the log holds: `commands/forget-2.lua`. */
  hlForget: 'forget-2.lua',
  /** Counts an attempt for its endpoint's health: `commands/health-1.lua`. */
  hlHealth: 'health-1.lua',
  /** Puts a delivery back to pending with a fresh attempt budget: `commands/requeue-4.lua`. */
  hlRequeue: 'requeue-4.lua',
  /** A per-endpoint rate limiter shared by every dispatcher: `commands/rate-limit-2.lua`. */
  hlRateLimit: 'rate-limit-2.lua',
  /** Compare-and-set of an endpoint with its index, announced on the changes channel: `commands/put-endpoint-4.lua`. */
  hlPutEndpoint: 'put-endpoint-4.lua',
  /** Replaces an operator key's secret, keeping the old one for a grace period: `commands/rotate-operator-key-1.lua`. */
  hlRotateOperatorKey: 'rotate-operator-key-1.lua',
  /** Notes when an operator key was used, unless it is gone: `commands/touch-operator-key-1.lua`. */
  hlTouchOperatorKey: 'touch-operator-key-1.lua',
  /** Takes from a tenant's budget per minute: `commands/tenant-budget-1.lua`. */
  hlTenantBudget: 'tenant-budget-1.lua',
} as const;

const LOADED = Object.entries(SCRIPTS).map(([name, file]) => ({
  name,
  numberOfKeys: Number(/-(\d+)\.lua$/.exec(file)![1]),
  lua: command(file),
}));

declare module 'ioredis' {
  interface RedisCommander<Context> {
    hlRecord(...args: RecordArgs): Result<'ok' | 'gone' | 'refused', Context>;
    hlPublish(...args: [string, ...(string | number)[]]): Result<number, Context>;
    hlLineUp(...args: LineUpArgs): Result<number, Context>;
    hlFrontLane(...args: FrontLaneArgs): Result<number, Context>;
    hlForget(...args: ForgetArgs): Result<number, Context>;
    hlHealth(...args: HealthArgs): Result<'ok' | 'disable', Context>;
    hlRequeue(...args: RequeueArgs): Result<string, Context>;
    hlRateLimit(...args: RateLimitArgs): Result<number, Context>;
    hlPutEndpoint(...args: PutEndpointArgs): Result<number, Context>;
    hlRotateOperatorKey(...args: RotateOperatorKeyArgs): Result<number, Context>;
    hlTouchOperatorKey(...args: TouchOperatorKeyArgs): Result<number, Context>;
    hlTenantBudget(...args: TenantBudgetArgs): Result<[taken: number, wait: number], Context>;
  }
}

/** Loads Hookline's scripts into a connection (ioredis sends EVALSHA, falling back to EVAL once). */
export function defineScripts(redis: Redis): void {
  for (const { name, numberOfKeys, lua } of LOADED)
    redis.defineCommand(name, { numberOfKeys, lua });
}
