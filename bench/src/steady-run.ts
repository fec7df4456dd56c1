import type { ApiClient } from './api-client';
import { count, type CaseContext } from './case';
import { nowMs, sleep } from './clock';
import { eventJson } from './hookline-api';
import type { SteadyFigures } from './results';
import { summarize } from './stats';

/** Publishes in flight at most; past it the publisher is behind, and sends late rather than pile up. */
const MAX_IN_FLIGHT = 256;
/** How long deliveries may still arrive after the window before the missing ones count as lost. */
const DRAIN_WAIT_MS = 60_000;

/**
 * Single publishes paced by a timer at `e2eRate`/s for a warm-up and then the measured window,
 * to a service whose deliverer is running and delivers to the receiver's recorded `tag`. Latency
 * is publish (the bench's clock, just before the request) to receipt (the receiver's), matched
 * by `data.bench_seq`. Failed publishes and lost deliveries are counted, not thrown: they are
 * part of the figure. Hookline and the references run through this same code.
 */
export async function measureSteady(
  { api, tag }: { api: ApiClient; tag: string },
  {
    sizes,
    receiver,
    progress,
    note,
  }: Pick<CaseContext, 'sizes' | 'receiver' | 'progress' | 'note'>,
): Promise<SteadyFigures> {
  const { e2eRate: rate, e2eSeconds: seconds, e2eWarmupSeconds: warmupSeconds } = sizes;
  const warmup = Math.round(rate * warmupSeconds);
  const total = warmup + Math.round(rate * seconds);
  const bodies = Array.from({ length: total }, (_, seq) => eventJson('bench.e2e', seq));
  const sentAt = new Float64Array(total);
  const publishLatency = new Float64Array(total);
  const failed = new Uint8Array(total);
  let sent = 0;
  let inFlight = 0;
  let behind = 0;
  const requests: Promise<void>[] = [];
  const fire = (seq: number) => {
    inFlight += 1;
    sentAt[seq] = nowMs();
    requests.push(
      api
        .request('POST', '/v1/events', bodies[seq])
        .then((answer) => {
          if (answer.status !== 202) failed[seq] = 1;
          publishLatency[seq] = nowMs() - sentAt[seq]!;
        })
        .catch(() => {
          failed[seq] = 1;
        })
        .finally(() => {
          inFlight -= 1;
        }),
    );
  };

  // The window is fixed: a publisher held back (the service not keeping up) publishes fewer
  // events in it, and the figures say so, rather than stretching the case without bound.
  const started = nowMs();
  const scheduled = (seq: number) => started + (seq * 1000) / rate;
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
  if (sent <= warmup) throw new Error(`published only ${sent} events, none past the warm-up`);
  if (behind > 0)
    note(
      `bench: steady rate: ${MAX_IN_FLIGHT} publishes were in flight at ${count(behind)} ticks; ${count(sent)} of ${count(total)} published in the window`,
    );

  let acceptedAll = 0;
  let accepted = 0;
  for (let seq = 0; seq < sent; seq++) {
    if (failed[seq]) continue;
    acceptedAll += 1;
    if (seq >= warmup) accepted += 1;
  }
  let stats;
  try {
    stats = await receiver.waitForCount(tag, acceptedAll, {
      timeoutMs: DRAIN_WAIT_MS,
      onProgress: (s) =>
        progress(
          0.5 + s.count / acceptedAll / 2,
          `waiting for ${count(acceptedAll - s.count)} deliveries`,
        ),
    });
  } catch {
    stats = await receiver.stats(tag);
  }
  const samples = await receiver.samples(tag);
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  samples.seqs.forEach((seq, i) => {
    if (seq < warmup || seq >= sent || failed[seq]) return;
    latencies.push(samples.at[i]! - sentAt[seq]!);
    fromSchedule.push(samples.at[i]! - scheduled(seq));
  });
  const measured = sent - warmup;
  return {
    rate,
    seconds,
    warmupSeconds,
    sent: measured,
    accepted,
    received: latencies.length,
    publishErrors: measured - accepted,
    lost: accepted - latencies.length,
    duplicates: stats.duplicates,
    latencyMs: summarize(latencies),
    scheduledLatencyMs: summarize(fromSchedule),
    publishLatencyMs: summarize(
      [...publishLatency.subarray(warmup, sent)].filter((_, k) => !failed[warmup + k]),
    ),
    achievedRate: Math.round((measured * 1000) / (lastSent - sentAt[warmup]!)),
  };
}
