import type { BenchCase } from '../case';
import { layoutFromKeys, type MasterLayout } from '../cluster-layout';
import { atReceiver, publishBacklog, timeDrain } from '../drain-run';
import { freshPrefix } from '../hookline';
import { createEndpoint } from '../hookline-api';
import { startRedisCluster, type RedisCluster } from '../redis-cluster';
import { askFor } from '../redis-server';
import { startClusterCount, type ClusterUsage } from '../redis-usage';
import type { ClusterDrainFigures, Results } from '../results';

/** HOOKLINE_SHARDS in both cluster drains: 12 divides over 1, 2, 3, 4 and 6 masters. */
export const CLUSTER_SHARDS = 12;

/** Every key a master holds (SCAN, after the drain: not counted). */
async function keysOf(port: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const reply = await askFor(port, `SCAN ${cursor} COUNT 10000`, 10_000);
    const [next, batch] = reply as [string, string[]];
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/**
 * Where the drain's hash tags landed, master by master (from their keys), and how many events
 * each master's shards hold: one delivery each (one endpoint), in its event's shard. Counts that
 * do not add up to `total` (an index named otherwise) are left unknown rather than guessed.
 */
async function layoutOf(
  cluster: RedisCluster,
  prefix: string,
  total: number,
): Promise<{ layout: MasterLayout[]; deliveries: (number | null)[] }> {
  const layout = layoutFromKeys(
    prefix,
    await Promise.all(cluster.masters.map((m) => keysOf(m.port))),
  );
  const deliveries = await Promise.all(
    layout.map(async (m, i) => {
      let sum = 0;
      for (const key of m.eventIndexes)
        sum += Number(await askFor(cluster.masters[i]!.port, `ZCARD ${key}`));
      return sum;
    }),
  );
  const counted = deliveries.reduce((a, n) => a + n, 0) === total;
  return { layout, deliveries: deliveries.map((n) => (counted ? n : null)) };
}

/**
 * Hookline's drain against a Redis Cluster of `masters` masters that the case starts itself:
 * the backlog published through the batch API with no dispatcher running, then one dispatcher
 * drains it, as in the drain case (drain-run.ts), both processes with REDIS_CLUSTER=true,
 * HOOKLINE_SHARDS=12 and the masters' URLs as seeds. Redis is counted on each master.
 */
function clusterDrain(masters: 1 | 3): BenchCase {
  return {
    id: masters === 1 ? 'cluster-drain-1' : 'cluster-drain-3',
    title: `Hookline drain, Redis Cluster of ${masters} master${masters === 1 ? '' : 's'}`,
    hookline: true,
    async run({ sizes, receiver, hookline, cleanup, progress }): Promise<Partial<Results>> {
      progress(0, `starting a ${masters}-master Redis Cluster`);
      const cluster = await startRedisCluster(masters);
      const stopCluster = cleanup.add('redis cluster', () => cluster.stop());
      try {
        const launcher = hookline.on(cluster.masters.map((m) => m.url).join(','), {
          REDIS_CLUSTER: 'true',
          HOOKLINE_SHARDS: String(CLUSTER_SHARDS),
        });
        const batchSize = sizes.clusterBatchSize;
        const batches = Math.ceil(sizes.drainEvents / batchSize);
        const total = batches * batchSize;
        const tag = `cluster-drain-${masters}-${Date.now().toString(36)}`;
        const prefix = freshPrefix('cluster');
        const producer = await launcher.startProducer(prefix, { connections: 4 });
        try {
          progress(0, 'creating the endpoint');
          await createEndpoint(producer.api, receiver.url('c', tag));
          const publishMs = await publishBacklog(producer.api, { batches, batchSize }, progress);

          const count = await startClusterCount(cluster.masters);
          let usage: ClusterUsage | undefined;
          const dispatcher = await launcher.startDispatcher(prefix);
          try {
            const { figures } = await timeDrain(
              { progress },
              {
                arrivals: atReceiver(receiver, tag),
                total,
                deliverer: dispatcher,
                publisher: producer.child,
                redisCount: async (deliveries) => (usage = await count(deliveries)).total,
              },
            );
            progress(1, 'stopping the dispatcher');
            await dispatcher.stop();
            const { layout, deliveries } = await layoutOf(cluster, prefix, total);
            const result: ClusterDrainFigures = {
              ...figures,
              publishMs,
              masters,
              shards: CLUSTER_SHARDS,
              batchSize,
              queuePrefix: prefix,
              perMaster: cluster.masters.map((master, i) => ({
                port: master.port,
                slots: master.slots,
                shards: layout[i]!.shards,
                catalog: layout[i]!.catalog,
                deliveries: deliveries[i]!,
                redis: usage!.masters[i]!,
              })),
            };
            return masters === 1 ? { clusterDrain1: result } : { clusterDrain3: result };
          } finally {
            await dispatcher.stop();
          }
        } finally {
          await producer.stop();
        }
      } finally {
        await stopCluster();
      }
    },
  };
}

export const clusterDrain1 = clusterDrain(1);
export const clusterDrain3 = clusterDrain(3);
