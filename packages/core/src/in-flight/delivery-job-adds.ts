import type { Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { Queues } from '../queues';
import { JOBS, type DeliverJob } from '../queues';
import { StandardJobAdds } from '../bullmq/standard-job-adds';
import type { Transactions } from '../bullmq/transactions';

/**
 * Adds delivery jobs to transactions, beside the scripts that append their changes: a job and
 * the change that announces it are committed together. One {@link StandardJobAdds} per shard's
 * queue (standard-job-adds.ts says why not `new Job` per delivery).
 */
export class DeliveryJobAdds {
  private readonly adds = new Map<Queue, StandardJobAdds>();

  constructor(
    private readonly queues: Queues,
    private readonly transactions: Transactions,
  ) {}

  /** A transaction jobs can be added to; its keys must share one shard's hash tag (keys.ts). */
  multi(): Promise<ChainableCommander> {
    return this.transactions.open();
  }

  /** Queues the add of `data`'s job (id: the delivery's) on `multi`. */
  add(multi: ChainableCommander, data: DeliverJob, now: number): void {
    const queue = this.queues.of(data.delivery_id).deliveries;
    let adds = this.adds.get(queue);
    if (!adds) {
      adds = new StandardJobAdds(queue, 'deliver', JOBS.deliver.options);
      this.adds.set(queue, adds);
    }
    adds.add(multi, data.delivery_id, data, now);
  }
}
