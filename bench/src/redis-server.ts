import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnChild } from './child-process';
import { waitFor } from './clock';
import { freePort } from './ports';
import { parseReply, ReplyError, type Reply } from './resp';

/** Calls and Redis CPU time per command, from INFO commandstats. */
export type CommandStats = Record<string, { calls: number; usec: number }>;

/** What the bench counts on one redis-server: its commands and its CPU (redis-usage.ts). */
export interface RedisCounters {
  /** Zeroes INFO's counters (CONFIG RESETSTAT). */
  resetStats(): Promise<void>;
  commandStats(): Promise<CommandStats>;
  /** CPU seconds redis-server has used (user + system), from INFO cpu. */
  cpuSeconds(): Promise<number>;
}

export interface RedisServer extends RedisCounters {
  url: string;
  port: number;
  /** `redis_version` from INFO. */
  version: string;
  /** Empties it between cases, so each starts on an empty Redis. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/** Parses `cmdstat_<name>:calls=N,usec=N,…` lines. */
export function parseCommandStats(info: string): CommandStats {
  const stats: CommandStats = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats[match[1]!] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return stats;
}

/**
 * Sends one inline command and resolves with the raw reply, as latin1 (one character a byte), once
 * it is complete ('' when nothing answers).
 */
export function ask(port: number, command: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      let complete = true;
      try {
        complete = parseReply(reply) !== undefined;
      } catch {
        // Not a reply Redis would send: stop reading, the caller sees what came.
      }
      if (complete) socket.end();
    });
    socket.on('close', () => resolve(reply));
    socket.on('error', () => resolve(''));
  });
}

/** {@link ask}, the reply parsed; an error reply is thrown, and so is no answer. */
export async function askFor(port: number, command: string, timeoutMs = 5_000): Promise<Reply> {
  const raw = await ask(port, command, timeoutMs);
  const parsed = raw === '' ? undefined : parseReply(raw);
  if (!parsed) throw new Error(`${command.slice(0, 60)} on ${port}: no complete answer`);
  if (parsed.reply instanceof ReplyError)
    throw new Error(`${command.slice(0, 60)} on ${port} answered ${parsed.reply.message}`);
  return parsed.reply;
}

/** INFO's counters of the redis-server on `port`, over short-lived connections. */
export function countersOf(port: number): RedisCounters {
  return {
    async resetStats() {
      const reply = await ask(port, 'CONFIG RESETSTAT', 5_000);
      if (!reply.startsWith('+OK'))
        throw new Error(`CONFIG RESETSTAT answered ${JSON.stringify(reply)}`);
    },
    async commandStats() {
      return parseCommandStats(await ask(port, 'INFO commandstats', 5_000));
    },
    async cpuSeconds() {
      const info = await ask(port, 'INFO cpu', 5_000);
      const field = (name: string) =>
        Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
      return field('used_cpu_user') + field('used_cpu_sys');
    },
  };
}

/** `redis_version` of the redis-server on `port`. */
export async function versionOf(port: number): Promise<string> {
  const info = await ask(port, 'INFO server');
  return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
}

/**
 * A redis-server of the bench's own, on a spare port, with nothing persisted
 * (`--save "" --appendonly no`), so every case runs against the same build and configuration.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'hookline-bench-redis-'));
  const child = spawnChild(
    'redis-server',
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    {},
  );
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await waitFor(
      'redis-server to answer PING',
      async () => {
        if (!child.running) {
          const hint = /ENOENT/.test(child.output())
            ? ' (is redis-server installed? apt-get install redis-server)'
            : '';
          throw new Error(`redis-server exited at start${hint}:\n${child.output()}`);
        }
        return (await ask(port, 'PING')).startsWith('+PONG') ? true : undefined;
      },
      { timeoutMs: 10_000 },
    );
  } catch (error) {
    await child.stop(2_000);
    removeDir();
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    version: await versionOf(port),
    ...countersOf(port),
    async flushAll() {
      const reply = await ask(port, 'FLUSHALL', 10_000);
      if (!reply.startsWith('+OK')) throw new Error(`FLUSHALL answered ${JSON.stringify(reply)}`);
    },
    async stop() {
      await child.stop(5_000);
      removeDir();
    },
  };
}
