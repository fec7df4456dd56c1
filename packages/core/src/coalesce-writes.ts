import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

/**
 * Sends the commands a connection is given in one pass of the event loop in one socket write.
 *
 * Each ioredis command is a write of its own, and a write costs a system call on each side: in
 * the bench's drain, socket writes were a third of the dispatcher's CPU, and Redis spends ~5 µs
 * of CPU per read and write it serves (a PING costs that, measured). ioredis's auto-pipelining
 * batches writes too, but makes every batch a pipeline object that copies each script the
 * connection knows and lives until Redis answers (redis.ts); corking the socket until the pass
 * ends costs nothing per command. Replies, their order and errors are untouched: the bytes are
 * the same, only the number of writes changes.
 *
 * Only for a single connection (a Redis Cluster client has one socket per node), and only for
 * the dispatcher's (createRedis, role `worker`). On the producer's, corking the transactions'
 * writes too cut the bench's single-publish Redis CPU (~62 → ~53 µs per event) but cost batch
 * publishes a fifth of their rate (0.43–0.50× the reference instead of 0.57–0.64×; a 1 MB
 * transaction held back to the end of the turn, why that costs so much is not understood), and
 * leaving transactions out left single publishes nothing to gain: they are one command and one
 * transaction. Tried again with the uncork in the check phase: single publishes 0.72–1.01× (no
 * gain within the noise), batch publishes 0.46–0.47× (against 0.57–0.70× without).
 */
export function coalesceWrites(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  let corked: Socket | undefined;
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const socket = (redis as unknown as { stream?: Socket }).stream;
    if (corked === undefined && socket?.writable && redis.status === 'ready') {
      corked = socket;
      socket.cork();
      // Uncorked in the loop's check phase, after every I/O callback of this pass (and the promise
      // callbacks they resume) has sent its commands: the answers of many deliveries arrive in
      // one pass, and each sends the next command of its delivery. Uncorking at the end of the
      // callback that corked (process.nextTick) gathered one delivery's commands; this gathers
      // the pass's, measured in the bench's drain: 0.74× → 0.82–0.87× the bare worker's rate,
      // the dispatcher's CPU per delivery 1.35× → 1.07–1.14× its, Redis CPU 1.50× → 1.37×. A
      // command waits at most until the end of the pass (libuv does not block for I/O while an
      // immediate is pending).
      setImmediate(() => {
        corked = undefined;
        socket.uncork();
      });
    }
    return send(...args);
  };
}
