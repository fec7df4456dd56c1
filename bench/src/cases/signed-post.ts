import { Agent, request } from 'node:http';
import { generateSecret, sign } from '@hookline/webhooks';
import { count, inParallel, type BenchCase } from '../case';
import { eventBody } from '../payload';
import { perSecond } from '../stats';

/**
 * Ceiling 1: the HTTP half of a delivery alone. node:http over keep-alive, `signedPostInFlight`
 * requests in flight, each body a fresh 1 KB event signed with `@hookline/webhooks` `sign()`.
 */
export const signedPost: BenchCase = {
  id: 'signed-post',
  title: 'ceiling: signed POST',
  hookline: false,
  async run({ sizes, receiver, progress }) {
    const total = sizes.signedPosts;
    const inFlight = sizes.signedPostInFlight;
    const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
    const secret = generateSecret();
    const { port } = receiver;
    const path = new URL(receiver.url('c', 'signed-post')).pathname;
    let done = 0;
    let errors = 0;

    const post = (seq: number) =>
      new Promise<void>((resolve) => {
        const id = `msg_${seq}`;
        const body = eventBody(`evt_${seq}`, 'bench.ceiling', seq);
        const timestamp = Math.floor(Date.now() / 1000);
        const req = request(
          {
            agent,
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            timeout: 25_000,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': sign({ id, timestamp, body, secrets: [secret] }),
            },
          },
          (res) => {
            if (res.statusCode !== 204) errors += 1;
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          errors += 1;
          resolve();
        });
        req.end(body);
      });

    const started = performance.now();
    const ticker = setInterval(
      () => progress(done / total, `${count(done)}/${count(total)} requests`),
      100,
    );
    try {
      await inParallel(total, inFlight, async (seq) => {
        await post(seq);
        done += 1;
      });
    } finally {
      clearInterval(ticker);
      agent.destroy();
    }
    const ms = performance.now() - started;
    if (errors > total / 100) throw new Error(`${errors} of ${total} signed POSTs failed`);
    return { signedPost: { count: total, ms, perSecond: perSecond(total, ms), inFlight, errors } };
  },
};
