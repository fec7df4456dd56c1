import type { ApiClient } from './api-client';
import { nowMs, sleep } from './clock';
import { eventJson } from './hookline-api';
import type { ReceiverClient } from './receiver-client';
import type { TrickleFigures } from './results';
import { summarize } from './stats';

/** How long a trickle's last deliveries may take to arrive before the missing ones count as lost. */
const ARRIVAL_WAIT_MS = 60_000;

/** The name of a trickle's events. */
export const TRICKLE_EVENT_NAME = 'bench.trickle';

/**
 * One tenant's single publishes (`POST /v1/events`, one event each, `tenant_id` = `tenantId`) at
 * `rate`/s on a fixed schedule until `stopped()` says so, to an endpoint of that tenant at the
 * receiver's recorded `tag`. Latency is publish (the bench's clock, just before the request) to
 * receipt (the receiver's), matched by `data.bench_seq`; the events of the first
 * `warmupSeconds` are published but not counted. Failed publishes and lost deliveries are
 * counted, not thrown: they are part of the figure.
 */
export async function measureTrickle(
  {
    api,
    receiver,
    tag,
    tenantId,
  }: { api: ApiClient; receiver: ReceiverClient; tag: string; tenantId: string },
  {
    rate,
    warmupSeconds = 0,
    stopped,
  }: { rate: number; warmupSeconds?: number; stopped: () => boolean },
): Promise<TrickleFigures> {
  const warmup = Math.round(rate * warmupSeconds);
  const sentAt: number[] = [];
  const failed = new Set<number>();
  const requests: Promise<void>[] = [];
  const started = nowMs();
  for (let seq = 0; ; seq++) {
    const due = started + (seq * 1000) / rate;
    while (!stopped() && nowMs() < due) await sleep(Math.min(10, due - nowMs()));
    if (stopped()) break;
    sentAt[seq] = nowMs();
    requests.push(
      api
        .request('POST', '/v1/events', eventJson(TRICKLE_EVENT_NAME, seq, { tenant_id: tenantId }))
        .then(
          (answer) => {
            if (answer.status !== 202) failed.add(seq);
          },
          () => {
            failed.add(seq);
          },
        ),
    );
  }
  await Promise.all(requests);
  const sent = sentAt.length;
  const accepted = sent - failed.size;
  const stats = await receiver
    .waitForCount(tag, accepted, { timeoutMs: ARRIVAL_WAIT_MS })
    .catch(() => receiver.stats(tag));
  const samples = await receiver.samples(tag);
  const latencies: number[] = [];
  samples.seqs.forEach((seq, i) => {
    if (seq < warmup || seq >= sent || failed.has(seq)) return;
    latencies.push(samples.at[i]! - sentAt[seq]!);
  });
  const measured = Math.max(0, sent - warmup);
  const measuredFailures = [...failed].filter((seq) => seq >= warmup).length;
  return {
    rate,
    sent: measured,
    accepted: measured - measuredFailures,
    received: latencies.length,
    publishErrors: measuredFailures,
    lost: measured - measuredFailures - latencies.length,
    duplicates: stats.duplicates,
    latencyMs: summarize(latencies),
  };
}
