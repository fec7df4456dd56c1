import { generateSecret, sign } from '@hookline/webhooks';
import { Pool } from 'undici';
import { eventBody } from './payload';
import type { RoundTripFigures } from './results';
import { summarize } from './stats';

/** Untimed requests first: the connection made, the receiver's code warm. */
const WARMUP = 50;

/**
 * The receiver's round trip as one line of an ordered endpoint meets it: signed POSTs of a
 * drain's event (1,000 bytes of data), one at a time over one keep-alive connection, with
 * undici, the dispatcher's HTTP client. Each is timed from signing to the answer's end.
 */
export async function measureRoundTrips(url: string, count: number): Promise<RoundTripFigures> {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
  const secrets = [generateSecret()];
  const times: number[] = [];
  try {
    for (let i = 0; i < WARMUP + count; i++) {
      const id = `msg_rtt_${i}`;
      const body = eventBody(`evt_rtt_${i}`, 'bench.rtt', i);
      const started = performance.now();
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await pool.request({
        method: 'POST',
        path: pathname,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': sign({ id, timestamp, body, secrets }),
        },
        body,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode > 299)
        throw new Error(`the receiver answered ${response.statusCode} to a round trip`);
      if (i >= WARMUP) times.push(performance.now() - started);
    }
  } finally {
    await pool.close();
  }
  // From the unrounded mean: a round trip on loopback is a fraction of a millisecond.
  const meanMs = times.reduce((sum, t) => sum + t, 0) / times.length;
  return { count, latencyMs: summarize(times), perSecond: Math.round(1000 / meanMs) };
}
