import type { DeliveryStatus } from '@hookline/api';
import { groupByShard } from '../redis/by-shard';
import { execAll } from '../redis/exec';
import type { RedisKeys } from '../redis/keys';
import type { DeliverJob } from '../queues';
import type { DeliveryJobAdds } from './delivery-job-adds';
import { changeHead } from './job-record';
import { lineUpArgs } from '../ordering/line-up';
import type { Line } from '../ordering/lines';

/** A delivery to put back to pending: what its new job carries, and where it stands now. */
export interface RequeueCandidate {
  /** Its job's data as the new job carries it (`attempts`: those made so far). */
  data: DeliverJob;
  /** Its status in the log; what counts when it has no job. */
  loggedStatus: DeliveryStatus | '';
}

export type RequeueArgs = [
  jobKey: string,
  completed: string,
  failed: string,
  stream: string,
  id: string,
  allowed: string,
  loggedStatus: string,
  attempts: number,
  now: number,
  head: string,
];

/** The arguments of commands/requeue-4.lua, in its order (its header names each one). */
export function requeueArgs(
  keys: RedisKeys,
  candidate: RequeueCandidate,
  allowed: readonly DeliveryStatus[],
  now: number,
): RequeueArgs {
  const { data } = candidate;
  const shard = keys.shardOf(data.delivery_id);
  return [
    keys.deliveryJob(data.delivery_id),
    keys.deliveriesCompleted(shard),
    keys.deliveriesFailed(shard),
    keys.changes(shard),
    data.delivery_id,
    allowed.join(','),
    candidate.loggedStatus,
    data.attempts,
    now,
    changeHead(data),
  ];
}

/** Requeues per transaction: each is a script call and a job add. */
const PER_TRANSACTION = 500;

/** What requeue-4.lua did with a delivery it may requeue. */
export type Requeued = 'new' | 'moving' | 'finishing';

/**
 * Puts deliveries back to pending (commands/requeue-4.lua) and adds each a new job beside it in
 * the same MULTI, which BullMQ makes only where the script cleared the way. Returns, per id
 * requeued, whether its job was still moving (the caller brings a delayed one forward), and the
 * ids whose job was finishing and must be asked again.
 */
export async function requeueInShards(
  keys: RedisKeys,
  jobs: DeliveryJobAdds,
  candidates: readonly RequeueCandidate[],
  allowed: readonly DeliveryStatus[],
  now: number,
  /** The line a delivery joins at the back when its new job is made (ordering/lines.ts), if any. */
  lineOf: (data: DeliverJob) => Line | undefined = () => undefined,
): Promise<Map<string, Requeued>> {
  const requeued = new Map<string, Requeued>();
  for (const inShard of groupByShard(keys, candidates, (c) => c.data.delivery_id).values()) {
    for (let start = 0; start < inShard.length; start += PER_TRANSACTION) {
      const chunk = inShard.slice(start, start + PER_TRANSACTION);
      const multi = await jobs.multi();
      const verdictAt: number[] = [];
      let calls = 0;
      for (const candidate of chunk) {
        verdictAt.push(calls);
        multi.hlRequeue(...requeueArgs(keys, candidate, allowed, now));
        jobs.add(multi, candidate.data, now);
        calls += 2;
        // A new job joins the back of its line; one still moving is in it already (the script
        // tells them apart).
        const line = lineOf(candidate.data);
        if (line) {
          multi.hlLineUp(...lineUpArgs(keys, candidate.data.delivery_id, line, now));
          calls += 1;
        }
      }
      const results = await execAll(multi);
      chunk.forEach((candidate, i) => {
        const verdict = results[verdictAt[i]!];
        if (verdict === 'new' || verdict === 'moving' || verdict === 'finishing')
          requeued.set(candidate.data.delivery_id, verdict);
      });
    }
  }
  return requeued;
}
