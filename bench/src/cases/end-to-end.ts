import { count, type BenchCase } from '../case';
import { nowMs, sleep } from '../clock';
import { freshPrefix } from '../hookline';
import { createEndpoint, eventJson } from '../hookline-api';
import { summarize } from '../stats';

/** Publishes in flight at most; past it the publisher is behind, and sends late rather than pile up. */
const MAX_IN_FLIGHT = 256;

/**
 * Hookline end to end at a steady rate: single publishes paced by a timer to one endpoint, with
 * the producer and one dispatcher running. Latency is publish (the bench's clock, just before the
 * request) to receipt (the receiver's), matched by `data.bench_seq`. A short warm-up at the same
 * rate comes first and is left out of the figures.
 */
export const endToEnd: BenchCase = {
  id: 'e2e',
  title: 'Hookline end to end',
  hookline: true,
  async run({ sizes, receiver, hookline, progress, note }) {
    const { e2eRate: rate, e2eSeconds: seconds, e2eWarmupSeconds: warmupSeconds } = sizes;
    const warmup = Math.round(rate * warmupSeconds);
    const total = warmup + Math.round(rate * seconds);
    const prefix = freshPrefix('e2e');
    const tag = `e2e-${Date.now().toString(36)}`;
    const producer = await hookline.startProducer(prefix, { connections: 64 });
    const dispatcher = await hookline.startDispatcher(prefix);
    const { api } = producer;
    try {
      progress(0, 'starting the dispatcher');
      await dispatcher.healthy;
      await createEndpoint(api, receiver.url('r', tag));
      const bodies = Array.from({ length: total }, (_, seq) => eventJson('bench.e2e', seq));
      const sentAt = new Float64Array(total);
      const publishLatency = new Float64Array(total);
      let sent = 0;
      let inFlight = 0;
      let failures = 0;
      let behind = 0;
      const requests: Promise<void>[] = [];
      const fire = (seq: number) => {
        inFlight += 1;
        sentAt[seq] = nowMs();
        requests.push(
          api
            .request<{ deliveries: number }>('POST', '/v1/events', bodies[seq])
            .then((answer) => {
              if (answer.status !== 202) failures += 1;
              publishLatency[seq] = nowMs() - sentAt[seq]!;
            })
            .catch(() => {
              failures += 1;
            })
            .finally(() => {
              inFlight -= 1;
            }),
        );
      };

      // The window is fixed: a publisher held back (the producer not keeping up) publishes fewer
      // events in it, and the figures say so, rather than stretching the case without bound.
      const started = nowMs();
      const windowEnd = started + (warmupSeconds + seconds) * 1000;
      while (sent < total && nowMs() < windowEnd) {
        const due = Math.min(total, Math.floor(((nowMs() - started) * rate) / 1000) + 1);
        while (sent < due && inFlight < MAX_IN_FLIGHT) fire(sent++);
        if (sent < due) behind += 1;
        const phase = sent < warmup ? 'warm-up' : 'measuring';
        progress(
          sent / total / 2,
          `${phase}: published ${count(sent)}/${count(total)} at ${count(rate)}/s`,
        );
        await sleep(1);
      }
      const lastSent = nowMs();
      await Promise.all(requests);
      if (failures > 0) throw new Error(`${failures} of ${sent} publishes failed`);
      if (sent <= warmup) throw new Error(`published only ${sent} events, none past the warm-up`);
      if (behind > 0) {
        note(
          `bench: end to end: ${MAX_IN_FLIGHT} publishes were in flight at ${count(behind)} ticks; ${count(sent)} of ${count(total)} published in the window`,
        );
      }

      const stats = await receiver.waitForCount(tag, sent, {
        timeoutMs: 60_000,
        onProgress: (s) =>
          progress(0.5 + s.count / sent / 2, `waiting for ${count(sent - s.count)} deliveries`),
      });
      const samples = await receiver.samples(tag);
      const latencies: number[] = [];
      samples.seqs.forEach((seq, i) => {
        if (seq >= warmup && seq < sent) latencies.push(samples.at[i]! - sentAt[seq]!);
      });
      const measured = sent - warmup;
      return {
        e2e: {
          rate,
          seconds,
          warmupSeconds,
          sent: measured,
          received: latencies.length,
          duplicates: stats.duplicates,
          latencyMs: summarize(latencies),
          publishLatencyMs: summarize([...publishLatency.subarray(warmup, sent)]),
          achievedRate: Math.round((measured * 1000) / (lastSent - sentAt[warmup]!)),
        },
      };
    } finally {
      await dispatcher.stop();
      await producer.stop();
    }
  },
};
