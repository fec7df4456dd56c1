import { Cluster, type Redis } from 'ioredis';
import {
  TestRedisCluster,
  type ClusterNode,
  type TestRedisClusterOptions,
} from '@hookline/core/testing-cluster';
import { Deployment, type DeploymentOptions } from './hookline';

export interface ClusterHooklineOptions extends DeploymentOptions {
  /** The shape of the Redis Cluster: masters, replicas each, node timeout. */
  cluster?: TestRedisClusterOptions;
}

/**
 * A whole Hookline on a Redis Cluster of a scenario's own (real redis-server processes it may
 * SIGKILL), with the producer and N dispatchers as real processes given its seed nodes
 * (`REDIS_CLUSTER=true`), and an API client.
 */
export class ClusterHookline extends Deployment {
  private constructor(
    readonly cluster: TestRedisCluster,
    options: ClusterHooklineOptions,
  ) {
    const seeds = cluster.seedUrls;
    const client = new Cluster(
      seeds.map((url) => {
        const { hostname, port } = new URL(url);
        return { host: hostname, port: Number(port) };
      }),
      // The test's reads wait out a failover rather than fail.
      { redisOptions: { maxRetriesPerRequest: null }, retryDelayOnFailover: 200 },
    );
    client.on('error', () => undefined);
    // Typed as one connection, as Hookline's own code does (packages/core/src/redis.ts).
    super(
      client as unknown as Redis,
      { REDIS_URL: seeds.join(','), REDIS_CLUSTER: 'true' },
      options,
    );
  }

  static async start(options: ClusterHooklineOptions = {}): Promise<ClusterHookline> {
    const cluster = await TestRedisCluster.start(options.cluster);
    const h = new ClusterHookline(cluster, options);
    try {
      await h.startServices();
    } catch (error) {
      await h.destroy();
      throw error;
    }
    return h;
  }

  /** The Cluster slot of each shard's hash tag `{hookline:<n>}`, by shard. */
  async shardSlots(): Promise<number[]> {
    return Promise.all(
      this.keys.allShards.map(async (shard) =>
        Number(await this.redis.cluster('KEYSLOT', this.keys.shard(shard))),
      ),
    );
  }

  /** The Cluster slot of the catalog's hash tag `{hookline}`. */
  async catalogSlot(): Promise<number> {
    return Number(await this.redis.cluster('KEYSLOT', this.keys.catalog));
  }

  /** The shards each master serves now (every master, by port, with none for a master of none). */
  async shardsByMaster(): Promise<{ master: ClusterNode; shards: number[] }[]> {
    const slots = await this.shardSlots();
    const masters = await this.cluster.masters();
    return masters.map((master) => ({
      master: { port: master.port, url: master.url },
      shards: this.keys.allShards.filter((shard) =>
        master.slots.some(([first, last]) => first <= slots[shard]! && slots[shard]! <= last),
      ),
    }));
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.cluster.destroy();
  }
}
