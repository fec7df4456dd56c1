import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnChild, type Child } from './child-process';
import { slotRanges } from './cluster-layout';
import { waitFor } from './clock';
import { freePort } from './ports';
import { ask, countersOf, versionOf, type RedisCounters } from './redis-server';

/** One master of the bench's cluster, with the slot range it serves and INFO's counters. */
export interface ClusterMaster extends RedisCounters {
  port: number;
  url: string;
  slots: [number, number];
}

export interface RedisCluster {
  /** Every master, in slot order: the seed URLs of a cluster client. */
  masters: ClusterMaster[];
  /** `redis_version` of the first node. */
  version: string;
  stop(): Promise<void>;
}

/** A node's cluster bus listens on its port + 10000 (the cluster spec, "Cluster bus"). */
const BUS_OFFSET = 10_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` free ports whose bus ports are free too; never 6379 or its bus port. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > count * 50) throw new Error(`found ${ports.length} of ${count} free port pairs`);
    const port = await freePort();
    const bus = port + BUS_OFFSET;
    if (port === 6379 || bus > 65_535 || ports.includes(port) || ports.includes(bus)) continue;
    if (await canListen(bus)) ports.push(port);
  }
  return ports;
}

async function expectOk(port: number, command: string): Promise<void> {
  const reply = await ask(port, command, 5_000);
  if (!reply.startsWith('+OK'))
    throw new Error(`${command.slice(0, 60)} on ${port} answered ${JSON.stringify(reply)}`);
}

/** `CLUSTER INFO` fields of one node. */
async function clusterInfo(port: number): Promise<Record<string, string>> {
  const text = await ask(port, 'CLUSTER INFO', 2_000);
  return Object.fromEntries(
    [...text.matchAll(/^(\w+):([^\r\n]*)/gm)].map((match) => [match[1]!, match[2]!]),
  );
}

/**
 * A Redis Cluster of the bench's own: `masters` cluster-enabled redis-servers on spare ports, no
 * replicas, nothing persisted, the 16,384 slots split as `redis-cli --cluster create` would. It is
 * built with CLUSTER ADDSLOTS and MEET rather than `redis-cli --cluster create`, which refuses
 * fewer than 3 masters: the bench wants 1 as well, the same cluster code paths on one node.
 */
export async function startRedisCluster(masters: number): Promise<RedisCluster> {
  const ranges = slotRanges(masters);
  const ports = await clusterPorts(masters);
  const dir = mkdtempSync(path.join(tmpdir(), 'hookline-bench-cluster-'));
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => child.stop(5_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      children.push(
        spawnChild(
          `redis-server ${port}`,
          'redis-server',
          [
            '--port', String(port),
            '--bind', '127.0.0.1',
            '--cluster-enabled', 'yes',
            '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
            // A node learns its own address from a peer's MEET; a 1-master cluster has no peer,
            // and would tell clients (CLUSTER SLOTS) an empty host for every slot.
            '--cluster-announce-ip', '127.0.0.1',
            '--save', '',
            '--appendonly', 'no',
            '--dir', dir,
            '--loglevel', 'warning',
          ], // prettier-ignore
          {},
        ),
      );
    }
    await Promise.all(
      ports.map((port, i) =>
        waitFor(
          `redis-server ${port} to answer PING`,
          async () => {
            const child = children[i]!;
            if (!child.running) {
              const hint = /ENOENT/.test(child.output())
                ? ' (is redis-server installed? apt-get install redis-server)'
                : '';
              throw new Error(`redis-server ${port} exited at start${hint}:\n${child.output()}`);
            }
            return (await ask(port, 'PING')).startsWith('+PONG') ? true : undefined;
          },
          { timeoutMs: 10_000 },
        ),
      ),
    );
    for (const [i, port] of ports.entries()) {
      // Distinct config epochs up front, as redis-cli does, so no two masters start out tied.
      await expectOk(port, `CLUSTER SET-CONFIG-EPOCH ${i + 1}`);
      const [first, last] = ranges[i]!;
      // ADDSLOTS in chunks: an inline command is limited to 64 KB (PROTO_INLINE_MAX_SIZE).
      for (let from = first; from <= last; from += 2_000) {
        const slots = Array.from({ length: Math.min(2_000, last - from + 1) }, (_, k) => from + k);
        await expectOk(port, `CLUSTER ADDSLOTS ${slots.join(' ')}`);
      }
    }
    for (const port of ports.slice(1)) await expectOk(ports[0]!, `CLUSTER MEET 127.0.0.1 ${port}`);
    await waitFor(
      `a ${masters}-master cluster serving every slot`,
      async () => {
        for (const port of ports) {
          const info = await clusterInfo(port);
          if (
            info.cluster_state !== 'ok' ||
            info.cluster_slots_ok !== String(16_384) ||
            info.cluster_known_nodes !== String(masters)
          )
            return undefined;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return {
      masters: ports.map((port, i) => ({
        port,
        url: `redis://127.0.0.1:${port}`,
        slots: ranges[i]!,
        ...countersOf(port),
      })),
      version: await versionOf(ports[0]!),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
