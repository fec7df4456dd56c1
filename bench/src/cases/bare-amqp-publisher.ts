import type { BenchCase } from '../case';
import { DRAIN_EVENT_NAME, timeDrain } from '../drain-run';
import { BENCH_AMQP_URL, brokerPid, declareDrainQueue, withQueue } from '../rabbitmq';
import { startRedisCount } from '../redis-usage';

/**
 * Reference for Hookline's drain to RabbitMQ: the bare AMQP publisher (references/
 * bare-amqp-publisher.ts, its own process) publishes as many signed messages as the drain's
 * backlog, confirmed, to an exchange and queue of its own. It has no backlog to take them from: it
 * makes them, so the figure is what signing and confirmed publishing alone reach. Timed as the
 * drain is, from the spawn until the queue holds them all.
 */
export const bareAmqpPublisher: BenchCase = {
  id: 'bare-amqp-publisher',
  title: 'bare AMQP publisher',
  hookline: false,
  async run({ sizes, redis, bare, cleanup, progress }) {
    const total = Math.ceil(sizes.drainEvents / sizes.batchSize) * sizes.batchSize;
    const queue = await declareDrainQueue('bare-amqp', DRAIN_EVENT_NAME, cleanup);
    try {
      // Nothing of it uses Redis: counted all the same, so the figures are those of every drain.
      const redisCount = await startRedisCount(redis);
      const publisher = bare.startAmqpPublisher(
        {
          url: BENCH_AMQP_URL,
          exchange: queue.name,
          routingKey: queue.routingKey,
          eventName: DRAIN_EVENT_NAME,
        },
        total,
      );
      try {
        const { figures, brokerCpuMsPerDelivery } = await timeDrain(
          { progress },
          {
            arrivals: queue.arrivals,
            total,
            deliverer: publisher,
            redisCount,
            brokerPid: brokerPid(),
          },
        );
        progress(1, 'stopping the publisher');
        await publisher.stop();
        return {
          bareAmqpPublisher: await withQueue(
            { ...figures, publishMs: 0 },
            queue,
            brokerCpuMsPerDelivery,
          ),
        };
      } finally {
        await publisher.stop();
      }
    } finally {
      await queue.remove();
    }
  },
};
