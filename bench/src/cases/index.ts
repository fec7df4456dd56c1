import type { BenchCase } from '../case';
import { bareAmqpPublisher } from './bare-amqp-publisher';
import { bareEndToEnd } from './bare-end-to-end';
import { barePublish } from './bare-publish';
import { bareWorker } from './bare-worker';
import { bullmqNoop } from './bullmq-noop';
import { clusterDrain1, clusterDrain3 } from './cluster-drain';
import { drain, drainBaseline, drainTraced } from './drain';
import { drainOrdered, drainOrderedOneKey } from './drain-ordered';
import { drainRabbitmq } from './drain-rabbitmq';
import { endToEnd } from './end-to-end';
import { fairness } from './fairness';
import { fanOut } from './fan-out';
import { logLag } from './log-lag';
import { logList } from './log-list';
import { publish, publishTraced } from './publish';
import { redisMemory } from './redis-memory';
import { signedPost } from './signed-post';

// Each reference runs just before the Hookline case it stands beside, never at the same time:
// the two share nothing but the machine, Redis and the receiver, one after the other.
export const CASES: readonly BenchCase[] = [
  signedPost,
  bullmqNoop,
  bareWorker,
  // Only with BENCH_BASELINE_ROOT: another build's drain, set against this one's.
  drainBaseline,
  drain,
  // Each traced case runs right after its twin, the reference its figure is set against.
  drainTraced,
  // The drain to an ordered endpoint, set against the unordered drain just before it in the same
  // round; then one line, against the receiver's round trip timed in the same case.
  drainOrdered,
  drainOrderedOneKey,
  // The drain to a RabbitMQ queue, beside a bare amqplib publisher to one of its own.
  bareAmqpPublisher,
  drainRabbitmq,
  barePublish,
  publish,
  publishTraced,
  bareEndToEnd,
  endToEnd,
  // Tenant B's latency alone and during tenant A's flood, and A's drain with and without B.
  fairness,
  fanOut,
  // The log's figures: what settled traffic leaves in Redis, the log's lag, a list on a large log.
  redisMemory,
  logLag,
  logList,
  // Each starts (and stops) a Redis Cluster of its own; the shared redis-server sits idle.
  clusterDrain1,
  clusterDrain3,
];
