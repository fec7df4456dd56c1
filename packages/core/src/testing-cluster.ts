import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

// A Redis Cluster of a test's own: real cluster-enabled redis-server processes on spare ports,
// which the test may kill and restart (a failover fault test, say). For the whole suite against
// one long-lived cluster, see scripts/redis-cluster.sh.

const HOST = '127.0.0.1';
const SLOTS = 16384;
/** A node's cluster bus listens on its port + 10000. */
const BUS_PORT_OFFSET = 10_000;
/** The shared plain test Redis: never a port of ours. */
const PROTECTED_PORT = 6379;

/** One redis-server process of the cluster. */
export interface ClusterNode {
  port: number;
  url: string;
}

/** A master and the slot ranges (inclusive) it serves. */
export interface ClusterMaster extends ClusterNode {
  slots: [number, number][];
}

/** How {@link TestRedisCluster.start} shapes the cluster. */
export interface TestRedisClusterOptions {
  /** Masters (at least 3, as `redis-cli --cluster create` requires). Default 3. */
  masters?: number;
  /** Replicas of each master. Default 0. */
  replicas?: number;
  /** `cluster-node-timeout`: how long a node may be unreachable before failover. Default 2000. */
  nodeTimeoutMs?: number;
}

/** A Redis Cluster of real redis-server processes for one test; always `destroy()` it. */
export class TestRedisCluster {
  /** Every redis-server process, masters and replicas, in creation order. */
  readonly nodes: ClusterNode[];
  private readonly processes = new Map<number, ChildProcess>();
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'hookline-cluster-'));
  private initialMasters: ClusterNode[] = [];

  private constructor(
    ports: number[],
    private readonly nodeTimeoutMs: number,
  ) {
    this.nodes = ports.map(node);
  }

  /**
   * Starts masters × (1 + replicas) redis-server processes on free ports, joins them with
   * `redis-cli --cluster create` and resolves once the cluster serves every slot.
   */
  static async start(options: TestRedisClusterOptions = {}): Promise<TestRedisCluster> {
    const { masters = 3, replicas = 0, nodeTimeoutMs = 2000 } = options;
    if (masters < 3) throw new Error(`a Redis Cluster needs at least 3 masters, not ${masters}`);
    const ports = await freeClusterPorts(masters * (1 + replicas));
    const cluster = new TestRedisCluster(ports, nodeTimeoutMs);
    try {
      await Promise.all(ports.map((port) => cluster.spawnNode(port)));
      await cluster.create(replicas);
      await cluster.waitHealthy();
      cluster.initialMasters = (await cluster.masters()).map(({ port, url }) => ({ port, url }));
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** `redis://127.0.0.1:port` of the masters the cluster was created with: seeds for a client. */
  get seedUrls(): string[] {
    return this.initialMasters.map(({ url }) => url);
  }

  /** The masters serving slots now, as a live node's CLUSTER SLOTS reports them, by port. */
  async masters(): Promise<ClusterMaster[]> {
    const byPort = new Map<number, ClusterMaster>();
    for (const { range, port } of await clusterSlots(this.anyLivePort())) {
      const master = byPort.get(port) ?? { ...node(port), slots: [] };
      master.slots.push(range);
      byPort.set(port, master);
    }
    return [...byPort.values()].sort((a, b) => a.port - b.port);
  }

  /** The master serving `slot` now. */
  async masterOf(slot: number): Promise<ClusterNode> {
    const master = (await this.masters()).find(({ slots }) =>
      slots.some(([first, last]) => first <= slot && slot <= last),
    );
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return node(master.port);
  }

  /** SIGKILLs one node (no shutdown, no goodbye to the cluster) and waits for it to exit. */
  async kill(port: number): Promise<void> {
    const child = this.processOf(port);
    if (!isRunning(child)) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts a killed node again with its own cluster config file, so it rejoins the cluster. */
  async restart(port: number): Promise<void> {
    if (isRunning(this.processOf(port))) throw new Error(`node ${port} is still running`);
    await this.spawnNode(port);
  }

  /**
   * Resolves once every live node reports cluster_state:ok with all slots served, all of them
   * agree on a slot map whose masters are all live (so a killed master counts as failed over only
   * once a replica has taken over its slots, not while the cluster has yet to notice), and every
   * live replica's link to its master is up (so it holds the data and could take over in turn).
   */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    let problem: string | undefined = 'not checked yet';
    await pollUntil(
      async () => {
        problem = await this.healthProblem();
        return problem === undefined;
      },
      timeoutMs,
      () => `a healthy cluster (last seen: ${problem}; logs in ${this.dir})`,
    );
  }

  /** Kills every node and removes the temporary directory. Safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((port) => this.kill(port)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Why the cluster is not healthy right now, or undefined when it is. */
  private async healthProblem(): Promise<string | undefined> {
    const live = this.livePorts();
    let reference: string | undefined;
    for (const port of live) {
      try {
        const info = parseInfo(String(await command(port, 'CLUSTER', 'INFO')));
        if (info.cluster_state !== 'ok') return `node ${port}: cluster_state:${info.cluster_state}`;
        if (info.cluster_slots_ok !== String(SLOTS))
          return `node ${port}: cluster_slots_ok:${info.cluster_slots_ok}`;
        const replication = parseInfo(String(await command(port, 'INFO', 'replication')));
        if (replication.role === 'slave' && replication.master_link_status !== 'up')
          return `node ${port}: replica with master_link_status:${replication.master_link_status}`;
        const slots = await clusterSlots(port);
        const dead = slots.find((entry) => !live.includes(entry.port));
        if (dead) return `node ${port}: slots ${dead.range.join('-')} on stopped node ${dead.port}`;
        const map = describeSlotMap(slots);
        reference ??= map;
        if (map !== reference)
          return `node ${port} sees slot map ${map}, node ${live[0]} ${reference}`;
      } catch (error) {
        return `node ${port}: ${(error as Error).message}`;
      }
    }
    return undefined;
  }

  /** Runs `redis-cli --cluster create` over every node; the first `masters` become masters. */
  private async create(replicas: number): Promise<void> {
    const addresses = this.nodes.map(({ port }) => `${HOST}:${port}`);
    await execFileText(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      60_000,
    );
  }

  /** Spawns one redis-server (not daemonized) and waits until it answers PING. */
  private async spawnNode(port: number): Promise<void> {
    const child = spawn('redis-server', this.serverArgs(port), { stdio: 'ignore' });
    this.processes.set(port, child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.on('error', (error) => reject(new Error(`redis-server: ${error.message}`)));
    });
    await pollUntil(
      async () => {
        if (!isRunning(child))
          throw new Error(`redis-server on port ${port} exited; see ${this.logOf(port)}`);
        return answersPing(port);
      },
      10_000,
      () => `redis-server on port ${port} to answer PING (log: ${this.logOf(port)})`,
    );
  }

  /**
   * The command line of one node: cluster mode, no persistence, files in the temporary dir. A
   * replica still writes the RDB of a full sync to disk and loads it back, so each node has a
   * dbfilename of its own (with a shared `dump.rdb`, replicas syncing at the same moment load one
   * another's data); and a master serves it at once rather than after the default 5 s delay.
   */
  private serverArgs(port: number): string[] {
    return [
      '--port', String(port),
      '--bind', HOST,
      '--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(this.dir, `nodes-${port}.conf`),
      '--cluster-node-timeout', String(this.nodeTimeoutMs),
      '--save', '',
      '--appendonly', 'no',
      '--dir', this.dir,
      '--dbfilename', `dump-${port}.rdb`,
      '--repl-diskless-sync-delay', '0',
      '--logfile', this.logOf(port),
    ]; // prettier-ignore
  }

  private logOf(port: number): string {
    return path.join(this.dir, `${port}.log`);
  }

  private processOf(port: number): ChildProcess {
    const child = this.processes.get(port);
    if (!child) throw new Error(`no node of this cluster on port ${port}`);
    return child;
  }

  /** Ports of the nodes whose process runs now, in creation order. */
  private livePorts(): number[] {
    return this.nodes
      .map(({ port }) => port)
      .filter((port) => {
        const child = this.processes.get(port);
        return child !== undefined && isRunning(child);
      });
  }

  private anyLivePort(): number {
    const [port] = this.livePorts();
    if (port === undefined) throw new Error('no node of the cluster is running');
    return port;
  }
}

function node(port: number): ClusterNode {
  return { port, url: `redis://${HOST}:${port}` };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

/** Resolves when `condition` resolves true; rejects after `timeoutMs`, or when it throws. */
async function pollUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `execFile` as a promise of stdout; a failure carries the command's own output. */
function execFileText(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** One command on a short-lived connection to one node (no retries, no offline queue). */
async function command(port: number, name: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(name, ...args);
  } finally {
    redis.disconnect();
  }
}

async function answersPing(port: number): Promise<boolean> {
  try {
    return (await command(port, 'PING')) === 'PONG';
  } catch {
    return false;
  }
}

/** `field:value` lines (INFO, CLUSTER INFO) as an object. */
function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** CLUSTER SLOTS on one node: each slot range with the port of the master serving it. */
async function clusterSlots(port: number): Promise<{ range: [number, number]; port: number }[]> {
  const reply = (await command(port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  return reply.map(([first, last, [, masterPort]]) => ({ range: [first, last], port: masterPort }));
}

/** A slot map as one comparable string: `first-last@port` by first slot. */
function describeSlotMap(slots: { range: [number, number]; port: number }[]): string {
  return slots
    .map(({ range: [first, last], port }) => ({ first, text: `${first}-${last}@${port}` }))
    .sort((a, b) => a.first - b.first)
    .map(({ text }) => text)
    .join(',');
}

/** Whether a listener can bind `port` on 127.0.0.1 right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A port the OS hands out for a listener on port 0 of 127.0.0.1. */
function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `count` distinct free ports whose cluster bus ports (port + 10000) are free too. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const taken = new Set<number>([PROTECTED_PORT]);
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > count * 50)
      throw new Error(`found only ${ports.length} of ${count} free port pairs`);
    const port = await ephemeralPort();
    const bus = port + BUS_PORT_OFFSET;
    if (bus > 65_535 || taken.has(port) || taken.has(bus) || !(await canListen(bus))) continue;
    taken.add(port).add(bus);
    ports.push(port);
  }
  return ports;
}
