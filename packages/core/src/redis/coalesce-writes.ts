import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

/**
 * Sends the commands a connection is given in one turn of the event loop in one socket write.
 *
 * Each ioredis command is a write of its own, and a write costs a system call on each side: in
 * the bench's drain, socket writes were a third of the dispatcher's CPU, and Redis spends ~5 µs
 * of CPU per read and write it serves (a PING costs that, measured). ioredis's auto-pipelining
 * batches writes too, but makes every batch a pipeline object that copies each script the
 * connection knows and lives until Redis answers (redis.ts); corking the socket until the turn
 * ends costs nothing per command. Replies, their order and errors are untouched: the bytes are
 * the same, only the number of writes changes.
 *
 * Only for a single connection (a Redis Cluster client has one socket per node), and only for
 * the dispatcher's (createRedis, role `worker`). On the producer's, corking the transactions'
 * writes too cut the bench's single-publish Redis CPU (~62 → ~53 µs per event) but cost batch
 * publishes a fifth of their rate (0.43–0.50× the reference instead of 0.57–0.64×; a 1 MB
 * transaction held back to the end of the turn, why that costs so much is not understood), and
 * leaving transactions out left single publishes nothing to gain: they are one command and one
 * transaction.
 */
export function coalesceWrites(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  let corked: Socket | undefined;
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const socket = (redis as unknown as { stream?: Socket }).stream;
    if (corked === undefined && socket?.writable && redis.status === 'ready') {
      corked = socket;
      socket.cork();
      // After this turn's promise callbacks too: the deliveries they resume send commands there.
      // Uncorking in the loop's check phase instead (setImmediate), which gathers the commands
      // of every callback of a pass, measured the same within the noise over three rounds each
      // (drain 0.67× against 0.71× the bare worker, end-to-end p99 2.09× against 1.93×).
      process.nextTick(() => {
        corked = undefined;
        socket.uncork();
      });
    }
    return send(...args);
  };
}
