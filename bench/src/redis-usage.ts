import type { CommandStats, RedisServer } from './redis-server';

/** What a run of deliveries cost Redis, per delivery. */
export interface RedisUsage {
  /** Script calls (EVALSHA, EVAL) per delivery: each is one command a client sent. */
  scriptsPerDelivery: number;
  /** Every command Redis ran per delivery, those run inside scripts included (Redis 7 counts both). */
  commandsPerDelivery: number;
  /** redis-server CPU time per delivery, µs. */
  cpuUsPerDelivery: number;
  /** The commands run most per delivery. */
  top: { command: string; perDelivery: number }[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Per-delivery Redis usage from command stats counted since a reset and the CPU used since `cpuBefore`. */
export function redisUsage(
  stats: CommandStats,
  cpuSeconds: number,
  deliveries: number,
): RedisUsage {
  const entries = Object.entries(stats).filter(
    ([command]) => !/^(info|config\|resetstat|config|ping|client\|setname|client)$/.test(command),
  );
  const calls = (pattern: RegExp) =>
    entries.filter(([command]) => pattern.test(command)).reduce((sum, [, s]) => sum + s.calls, 0);
  return {
    scriptsPerDelivery: round(calls(/^(evalsha|eval|fcall)$/) / deliveries),
    commandsPerDelivery: round(calls(/./) / deliveries),
    cpuUsPerDelivery: Math.round((cpuSeconds * 1e6) / deliveries),
    top: entries
      .sort((a, b) => b[1].calls - a[1].calls)
      .slice(0, 8)
      .map(([command, s]) => ({ command, perDelivery: round(s.calls / deliveries) })),
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
