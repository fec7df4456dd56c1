import { count, type BenchCase, type CaseContext } from '../case';
import { atReceiver } from '../drain-run';
import { createEndpoint } from '../hookline-api';
import { outOfOrder } from '../line-order';
import type { HooklineDrainFigures, OrderingFigures } from '../results';
import { measureRoundTrips } from '../round-trip';
import { measureDrain } from './drain';

/**
 * Hookline's drain (drain.ts: one dispatcher, default settings, the backlog published before it
 * starts) to one endpoint ordered by `key`, the backlog spread over `lines` lines in turn (event
 * `seq` on line `seq % lines`) and published one batch after the other, so that each line's
 * events are accepted in sequence order. The endpoint is at the receiver's recorded path, which
 * keeps each first receipt's sequence number in the order of arrival: the case fails unless
 * every line arrived in order.
 */
async function measureOrderedDrain(
  context: CaseContext,
  ordering: OrderingFigures,
  events?: number,
): Promise<HooklineDrainFigures & { ordering: OrderingFigures }> {
  const { receiver } = context;
  const tag = `drain-ordered-${ordering.key}-${Date.now().toString(36)}`;
  const lineOf = (seq: number) => seq % ordering.lines;
  const { figures } = await measureDrain(
    context,
    context.hookline,
    {
      createEndpoint: (api) =>
        createEndpoint(api, receiver.url('r', tag), { ordering: { key: ordering.key } }),
      arrivals: atReceiver(receiver, tag),
    },
    {
      events,
      // A resource makes each event ~50 bytes longer: 1,000 of them would pass the API's 1 MiB.
      batchSize: context.sizes.batchSize / 2,
      concurrency: 1,
      ...(ordering.key === 'resource' ? { resourceOf: (seq) => `res_${lineOf(seq)}` } : {}),
    },
  );
  const { seqs } = await receiver.samples(tag);
  if (seqs.length !== figures.count)
    throw new Error(
      `the receiver kept ${count(seqs.length)} of ${count(figures.count)} sequence numbers`,
    );
  const late = outOfOrder(seqs, lineOf);
  if (late.count > 0)
    throw new Error(
      `${count(late.count)} of ${count(seqs.length)} deliveries arrived after one published later on their line (${late.first.join('; ')})`,
    );
  return { ...figures, ordering };
}

/** The drain's backlog over `orderedResources` resource ids, to an endpoint ordered by resource. */
export const drainOrdered: BenchCase = {
  id: 'drain-ordered',
  title: 'Hookline drain, ordered by resource',
  hookline: true,
  async run(context) {
    const ordering = { key: 'resource', lines: context.sizes.orderedResources } as const;
    return { drainOrdered: await measureOrderedDrain(context, ordering) };
  },
};

/**
 * `orderedOneKeyEvents` on one line (an endpoint ordered by `endpoint`), one delivery at a time,
 * beside the receiver's round trip measured just before with the dispatcher's HTTP client.
 */
export const drainOrderedOneKey: BenchCase = {
  id: 'drain-ordered-one-key',
  title: 'Hookline drain, ordered, one line',
  hookline: true,
  async run(context) {
    const { sizes, receiver, progress } = context;
    progress(0, `timing ${count(sizes.roundTrips)} round trips to the receiver`);
    const roundTrip = await measureRoundTrips(
      receiver.url('c', `round-trip-${Date.now().toString(36)}`),
      sizes.roundTrips,
    );
    const figures = await measureOrderedDrain(
      context,
      { key: 'endpoint', lines: 1 },
      sizes.orderedOneKeyEvents,
    );
    return { drainOrderedOneKey: { ...figures, roundTrip } };
  },
};
