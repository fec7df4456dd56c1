import type { BenchCase } from '../case';
import { DRAIN_EVENT_NAME } from '../drain-run';
import { createRabbitMqEndpoint } from '../hookline-api';
import { BENCH_AMQP_URL, brokerPid, declareDrainQueue, withQueue } from '../rabbitmq';
import { measureDrain } from './drain';

/**
 * Hookline's drain (drain.ts, the same backlog and dispatcher) with its one endpoint a rabbitmq
 * one: every delivery a persistent message, confirmed, to an exchange and durable queue the
 * bench declares for the case. Done once the queue holds the whole backlog.
 */
export const drainRabbitmq: BenchCase = {
  id: 'drain-rabbitmq',
  title: 'Hookline drain to RabbitMQ',
  hookline: true,
  async run(context) {
    const queue = await declareDrainQueue('drain', DRAIN_EVENT_NAME, context.cleanup);
    try {
      const { figures, brokerCpuMsPerDelivery, profile } = await measureDrain(
        context,
        context.hookline,
        {
          createEndpoint: (api) => createRabbitMqEndpoint(api, BENCH_AMQP_URL, queue.name),
          arrivals: queue.arrivals,
          brokerPid: brokerPid(),
        },
      );
      return {
        drainRabbitmq: await withQueue(figures, queue, brokerCpuMsPerDelivery),
        ...(profile ? { profiles: { dispatcherDrainRabbitmq: profile } } : {}),
      };
    } finally {
      await queue.remove();
    }
  },
};
