import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { Cleanup } from './cleanup';
import { nowMs, sleep } from './clock';
import type { Arrivals } from './drain-run';
import type { BrokerFigures } from './results';

/**
 * The RabbitMQ the broker cases publish to: an existing one (the bench does not start its own, as
 * it does Redis), `BENCH_AMQP_URL` or the local default. Its credentials are the local default's;
 * nothing of the URL is printed.
 */
export const BENCH_AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * One case's place on the broker: a durable direct exchange and a durable queue of its own, bound
 * with the drain's routing key, deleted after the case. Nobody consumes: the queue keeps every
 * message, so its depth is what arrived (a consumer would add the broker's deliveries and acks to
 * the CPU the case measures, and take a share of the 2 cores from the publisher being measured).
 */
export interface DrainQueue {
  /** The exchange and the queue (the same unique name). */
  name: string;
  routingKey: string;
  /** How many messages the queue holds (`queue.declare`, passive). */
  depth(): Promise<number>;
  /** The queue's depth as arrivals: a drain is done once it holds `total`. */
  arrivals: Arrivals;
  /** Deletes the queue and the exchange, and closes the bench's connection. */
  remove(): Promise<void>;
}

/**
 * The queue's depth is read this often while a drain runs: the depth's first and last change are
 * known to this much (the receiver stamps each HTTP delivery; a queue has no such stamp).
 */
const DEPTH_INTERVAL_MS = 20;

/** Declares a drain's exchange and queue on the broker, named `bench-<case>-<random>`. */
export async function declareDrainQueue(
  caseName: string,
  routingKey: string,
  cleanup: Cleanup,
): Promise<DrainQueue> {
  let connection: ChannelModel;
  try {
    connection = await connect(BENCH_AMQP_URL);
  } catch (error) {
    throw new Error(
      `no RabbitMQ at BENCH_AMQP_URL (default 127.0.0.1:5672): ${(error as Error).message}`,
      { cause: error },
    );
  }
  // A lost connection fails the next depth read or deletion, which says so; unheard, its 'error'
  // event would end the bench.
  connection.on('error', () => undefined);
  const channel: Channel = await connection.createChannel();
  channel.on('error', () => undefined);
  const name = `bench-${caseName}-${randomBytes(3).toString('hex')}`;
  const remove = cleanup.add(`RabbitMQ queue ${name}`, async () => {
    // A fresh channel: a failed passive declare closes the one it ran on.
    const tidy = await connection.createChannel().catch(() => undefined);
    await tidy?.deleteQueue(name).catch(() => undefined);
    await tidy?.deleteExchange(name).catch(() => undefined);
    await connection.close().catch(() => undefined);
  });
  try {
    await channel.assertExchange(name, 'direct', { durable: true, autoDelete: false });
    await channel.assertQueue(name, { durable: true, autoDelete: false });
    await channel.bindQueue(name, name, routingKey);
  } catch (error) {
    await remove();
    throw error;
  }
  const depth = async () => (await channel.checkQueue(name)).messageCount;
  return {
    name,
    routingKey,
    depth,
    remove,
    arrivals: {
      async waitFor(total, { timeoutMs, onProgress }) {
        const deadline = Date.now() + timeoutMs;
        let firstAt: number | null = null;
        for (;;) {
          const count = await depth();
          const at = nowMs();
          if (count > 0) firstAt ??= at;
          const stats = { count, duplicates: 0, firstAt, lastAt: count >= total ? at : null };
          onProgress?.(stats);
          if (count >= total) return stats;
          if (Date.now() > deadline)
            throw new Error(
              `the queue held ${count} of ${total} messages after ${Math.round(timeoutMs / 1000)} s`,
            );
          await sleep(DEPTH_INTERVAL_MS);
        }
      },
    },
  };
}

/**
 * A drain's figures with the queue's, read once the deliverer has stopped: what the queue holds
 * beyond the drain's `count` are duplicates (a queue cannot tell them apart by id, the receiver can).
 */
export async function withQueue<F extends { count: number; duplicates: number }>(
  figures: F,
  queue: DrainQueue,
  cpuMsPerMessage: number | null,
): Promise<F & { broker: BrokerFigures }> {
  const depth = await queue.depth();
  return {
    ...figures,
    duplicates: Math.max(0, depth - figures.count),
    broker: { queue: queue.name, depth, cpuMsPerMessage },
  };
}

/** The inodes of the sockets listening on TCP `port` (/proc/net/tcp and tcp6: state 0A, LISTEN). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (fields[3] === '0A' && local && parseInt(local.split(':')[1]!, 16) === port)
        inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** Whether process `pid` holds one of the sockets `inodes` (its /proc/<pid>/fd; root's to read). */
function holdsSocket(pid: number, inodes: Set<string>): boolean | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match !== null && inodes.has(match[1]!);
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

/**
 * The broker's process, whose CPU time the broker cases count: the `beam.smp` (RabbitMQ runs on
 * the Erlang VM) listening on the AMQP port of BENCH_AMQP_URL. Another `beam.smp` may run beside
 * it (`rabbitmqctl` is one while it runs, and so is a second broker); when the sockets of the
 * others cannot be read, a lone `beam.smp` is taken. Undefined without /proc, or when which one is
 * the broker is not known: the figure is left out rather than guessed.
 */
export function brokerPid(): number | undefined {
  let candidates: number[];
  try {
    candidates = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'beam.smp';
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return undefined;
  }
  const inodes = listeningInodes(Number(new URL(BENCH_AMQP_URL).port || 5672));
  const holding = candidates.map((pid) => holdsSocket(pid, inodes));
  const found = candidates.filter((_, i) => holding[i] === true);
  if (found.length === 1) return found[0];
  return holding.every((h) => h === undefined) && candidates.length === 1
    ? candidates[0]
    : undefined;
}
