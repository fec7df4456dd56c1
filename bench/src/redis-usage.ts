import type { CommandStats, RedisServer } from './redis-server';

/** What a run of deliveries (or publishes) cost Redis, per delivery. */
export interface RedisUsage {
  /** Script calls (EVALSHA, EVAL, FCALL) per delivery: each is one command a client sent. */
  scriptsPerDelivery: number;
  /** Every command Redis ran per delivery, those run inside scripts included (Redis 7 counts both). */
  commandsPerDelivery: number;
  /** redis-server CPU time per delivery (INFO cpu, user + system), µs. */
  cpuUsPerDelivery: number;
  /** Every command, most-called first: calls and Redis time (INFO commandstats `usec`) per delivery. */
  commands: { command: string; perDelivery: number; usPerDelivery: number }[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The bench's own calls (counting, flushing, connection set-up checks), left out of every figure. */
const OWN = /^(info|config\|resetstat|config|ping|client\|setname|client)$/;

/** Per-delivery Redis usage from command stats counted since a reset and the CPU used since then. */
export function redisUsage(
  stats: CommandStats,
  cpuSeconds: number,
  deliveries: number,
): RedisUsage {
  const entries = Object.entries(stats).filter(([command]) => !OWN.test(command));
  const calls = (pattern: RegExp) =>
    entries.filter(([command]) => pattern.test(command)).reduce((sum, [, s]) => sum + s.calls, 0);
  return {
    scriptsPerDelivery: round(calls(/^(evalsha|eval|fcall)$/) / deliveries),
    commandsPerDelivery: round(calls(/./) / deliveries),
    cpuUsPerDelivery: Math.round((cpuSeconds * 1e6) / deliveries),
    commands: entries
      .sort((a, b) => b[1].calls - a[1].calls)
      .map(([command, s]) => ({
        command,
        perDelivery: round(s.calls / deliveries),
        usPerDelivery: round(s.usec / deliveries),
      })),
  };
}

/** Starts counting: resets INFO's counters and notes redis-server's CPU so far. */
export async function startRedisCount(
  redis: RedisServer,
): Promise<(deliveries: number) => Promise<RedisUsage>> {
  await redis.resetStats();
  const cpuBefore = await redis.cpuSeconds();
  return async (deliveries) =>
    redisUsage(await redis.commandStats(), (await redis.cpuSeconds()) - cpuBefore, deliveries);
}
