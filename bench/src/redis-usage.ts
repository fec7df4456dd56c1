import type { CommandStats, RedisCounters } from './redis-server';

/** What a run of deliveries (or publishes) cost Redis, per delivery. */
export interface RedisUsage {
  /** Script calls (EVALSHA, EVAL, FCALL) per delivery: each is one command a client sent. */
  scriptsPerDelivery: number;
  /** Every command Redis ran per delivery, those run inside scripts included (Redis 7 counts both). */
  commandsPerDelivery: number;
  /** redis-server CPU time per delivery (INFO cpu, user + system), µs, to 0.1. */
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
    // To 0.1 µs: a master of a cluster may spend only a few µs per delivery of the whole run.
    cpuUsPerDelivery: Math.round((cpuSeconds * 1e7) / deliveries) / 10,
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
  redis: RedisCounters,
): Promise<(deliveries: number) => Promise<RedisUsage>> {
  const count = await startRawCount(redis);
  return async (deliveries) => {
    const { stats, cpuSeconds } = await count();
    return redisUsage(stats, cpuSeconds, deliveries);
  };
}

/** Counts on one redis-server from now: its command stats and CPU seconds since. */
async function startRawCount(
  redis: RedisCounters,
): Promise<() => Promise<{ stats: CommandStats; cpuSeconds: number }>> {
  await redis.resetStats();
  const cpuBefore = await redis.cpuSeconds();
  return async () => ({
    stats: await redis.commandStats(),
    cpuSeconds: (await redis.cpuSeconds()) - cpuBefore,
  });
}

/** Several redis-servers' command stats as one: calls and time added up per command. */
export function mergeCommandStats(all: readonly CommandStats[]): CommandStats {
  const merged: CommandStats = {};
  for (const stats of all)
    for (const [command, { calls, usec }] of Object.entries(stats)) {
      const sum = (merged[command] ??= { calls: 0, usec: 0 });
      sum.calls += calls;
      sum.usec += usec;
    }
  return merged;
}

/** A Redis Cluster's usage: every master's, and all of them together. */
export interface ClusterUsage {
  /** Per delivery of the whole run, each master's share of the cost, in the masters' order. */
  masters: RedisUsage[];
  /** The masters added up: what the run cost Redis in all. */
  total: RedisUsage;
}

/** Starts counting on every master of a cluster at once; the same deliveries divide each. */
export async function startClusterCount(
  masters: readonly RedisCounters[],
): Promise<(deliveries: number) => Promise<ClusterUsage>> {
  const counts = await Promise.all(masters.map(startRawCount));
  return async (deliveries) => {
    const raw = await Promise.all(counts.map((count) => count()));
    return {
      masters: raw.map(({ stats, cpuSeconds }) => redisUsage(stats, cpuSeconds, deliveries)),
      total: redisUsage(
        mergeCommandStats(raw.map((r) => r.stats)),
        raw.reduce((sum, r) => sum + r.cpuSeconds, 0),
        deliveries,
      ),
    };
  };
}
