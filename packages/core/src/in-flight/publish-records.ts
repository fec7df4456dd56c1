import type { ChainableCommander } from 'ioredis';
import type { RedisKeys } from '../redis/keys';
import type { DeliverJob } from '../queues';
import type { PreparedEvent } from './prepare-event';
import { frontLaneArgs, type TenantAdds } from './front-lane';

/**
 * Events and deliveries per script call (an event is never split: a large fan-out's chunk is one
 * call). A 1,000-event batch in one call was one command of ~1.5 MB, which ioredis builds and
 * writes as one string, allocated outside V8's young generation: every batch grew the old
 * generation until a full collection. Calls of ~200 kept the producer's peak RSS and CPU per
 * event lowest (bench/). The calls are in one MULTI.
 */
const RECORDS_PER_CALL = 200;

/** A delivery about to be made: its id and its endpoint. */
export interface NewDelivery {
  id: string;
  endpointId: string;
}

/**
 * The changes of one publish transaction in one shard, gathered as the arguments of
 * `commands/publish-1.lua` calls (its header says what each argument is), and the delivery jobs
 * they announce, which the caller adds beside them in the same MULTI.
 */
export class PublishRecords {
  /** The script calls so far: each its stream key and arguments. */
  private readonly calls: { stream: string; args: string[]; records: number }[] = [];
  /** Events and deliveries gathered so far (what bounds a transaction's size). */
  size = 0;
  /** The shard the calls write to (one transaction is one shard), once known. */
  private shard: number | undefined;
  /** The deliveries added, by tenant, for the front lane (front-lane.ts). */
  private readonly byTenant = new Map<string | null, TenantAdds>();

  constructor(private readonly keys: RedisKeys) {}

  /** The call an event with `deliveries` joins: the last, or a new one when it is full. */
  private callFor(stream: string, deliveries: number): string[] {
    const last = this.calls.at(-1);
    if (last && last.records + deliveries + 1 <= RECORDS_PER_CALL) {
      last.records += deliveries + 1;
      return last.args;
    }
    const call = { stream, args: [] as string[], records: deliveries + 1 };
    this.calls.push(call);
    return call.args;
  }

  /**
   * An event's change in a shard, with deliveries (a large fan-out's chunk, or the deliveries a
   * fan-out's recovery adds: the log writes the event once, however many changes name it): its
   * own shard (`shard` absent), naming `deliveries` and, as `lined`,
   * those written to their lines' shards (reads by id find them there before the log has them);
   * or a line's shard (`shard`), naming the event's deliveries lined up there, marked in that
   * shard. Returns the job data of `deliveries`.
   */
  addIn(
    event: PreparedEvent,
    deliveries: readonly NewDelivery[],
    lined: readonly NewDelivery[] = [],
    shard?: number,
  ): DeliverJob[] {
    const { id, name, resource } = event.event;
    const stream = shard === undefined ? this.keys.changesOf(id) : this.keys.changes(shard);
    const args = this.callFor(stream, deliveries.length + lined.length);
    args.push(
      id,
      shard === undefined ? this.keys.unloggedEvent(id) : this.keys.unloggedEventIn(shard, id),
      name,
      event.tenantId ?? '',
      resource?.id ?? '',
      resource?.resource_type ?? '',
      event.test ? '1' : '',
      event.traceparent ?? '',
      event.body,
      String(deliveries.length),
    );
    const jobs = deliveries.map(({ id: deliveryId, endpointId }): DeliverJob => {
      args.push(deliveryId, endpointId);
      return {
        delivery_id: deliveryId,
        endpoint_id: endpointId,
        event_id: id,
        tenant_id: event.tenantId,
        name,
        resource_id: resource?.id ?? null,
        test: event.test ?? false,
        attempts: 0,
        body: event.body,
        traceparent: event.traceparent ?? null,
        ...(event.tracestate ? { tracestate: event.tracestate } : {}),
      };
    });
    args.push(String(lined.length));
    for (const d of lined) args.push(d.id, d.endpointId);
    this.shard ??= shard ?? this.keys.shardOf(id);
    let ofTenant = this.byTenant.get(event.tenantId);
    if (!ofTenant)
      this.byTenant.set(event.tenantId, (ofTenant = { weight: event.weight ?? 1, ids: [] }));
    for (const d of deliveries) ofTenant.ids.push(d.id);
    this.size += jobs.length + lined.length + 1;
    return jobs;
  }

  /**
   * Queues the script calls on `multi`, if anything was added: the changes, then the front lane
   * of the deliveries whose adds precede them in `multi`.
   */
  queue(multi: ChainableCommander): void {
    for (const { stream, args } of this.calls) multi.hlPublish(stream, ...args);
    if (this.shard !== undefined && this.byTenant.size > 0)
      multi.hlFrontLane(...frontLaneArgs(this.keys, this.shard, this.byTenant));
  }
}
