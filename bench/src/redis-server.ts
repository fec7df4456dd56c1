import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnChild } from './child-process';
import { waitFor } from './clock';
import { freePort } from './ports';

/** Calls and Redis CPU time per command, from INFO commandstats. */
export type CommandStats = Record<string, { calls: number; usec: number }>;

export interface RedisServer {
  url: string;
  port: number;
  /** `redis_version` from INFO. */
  version: string;
  /** Empties it between cases, so each starts on an empty Redis. */
  flushAll(): Promise<void>;
  /** Zeroes INFO's counters (CONFIG RESETSTAT). */
  resetStats(): Promise<void>;
  commandStats(): Promise<CommandStats>;
  /** CPU seconds redis-server has used (user + system), from INFO cpu. */
  cpuSeconds(): Promise<number>;
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

/** Sends one inline command and resolves with the raw reply ('' when nothing answers). */
function ask(port: number, command: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      // A bulk reply ($<len>\r\n<body>\r\n) is complete once its body is in; a simple one at its first CRLF.
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if (bulk ? reply.length >= bulk[0].length + Number(bulk[1]) + 2 : reply.includes('\r\n'))
        socket.end();
    });
    socket.on('close', () => resolve(reply));
    socket.on('error', () => resolve(''));
  });
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
  const info = await ask(port, 'INFO server');
  const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    version,
    async flushAll() {
      const reply = await ask(port, 'FLUSHALL', 10_000);
      if (!reply.startsWith('+OK')) throw new Error(`FLUSHALL answered ${JSON.stringify(reply)}`);
    },
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
    async stop() {
      await child.stop(5_000);
      removeDir();
    },
  };
}
