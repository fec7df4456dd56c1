import type { RedisUsage } from './redis-usage';
import { int } from './format';
import type {
  BrokerFigures,
  CaseId,
  DrainFigures,
  Results,
  SteadyFigures,
  TrickleFigures,
} from './results';
import type { Sizes } from './sizes';

/** Which reference a figure is set against. */
export type ReferenceName =
  | 'bare worker'
  | 'bare pipeline'
  | 'bare pipeline + worker'
  | 'bare AMQP publisher'
  | 'Hookline, tracing off'
  | 'Hookline, HTTP drain'
  | 'Hookline, baseline build'
  | 'Hookline, unordered drain'
  | 'one request at a time'
  | 'Hookline, B alone'
  | 'Hookline, A alone';

/** How a figure is judged: by its ratio to the reference, or by its own value. */
export type Target =
  | { kind: 'ratio at least'; value: number }
  | { kind: 'ratio at most'; value: number; noErrors?: boolean }
  | { kind: 'at most'; value: number };

export type Unit = 'per second' | 'ms' | 'µs' | 'count' | 'bytes';

/** One Hookline figure beside its reference's. */
export interface Comparison {
  figure: string;
  unit: Unit;
  /** Whether more is better (throughput) or less (latency, cost). */
  higherIsBetter: boolean;
  hookline: number | null;
  reference: number | null;
  referenceName: ReferenceName | null;
  /** hookline / reference; null when either is unknown. */
  ratio: number | null;
  /** The cases that measure the two (for "failed" / "not run" in the table). */
  cases: { hookline: CaseId; reference: CaseId | null };
  /** null: a figure shown for context, with no target. */
  target: Target | null;
  /** null: no target, or not measured. */
  met: boolean | null;
  /** Why a target was missed other than by its ratio (errors, the rate not held). */
  why?: string;
  /** With rounds (rounds.ts): each round's ratio, in order; the row is the median round's. */
  roundRatios?: (number | null)[];
}

/** A Redis command's calls and time per delivery in the drain, Hookline's and the bare worker's. */
export interface CommandComparison {
  command: string;
  hookline: { perDelivery: number; usPerDelivery: number } | null;
  reference: { perDelivery: number; usPerDelivery: number } | null;
}

export const RSS_LIMIT_BYTES = 200e6;
/** What settled and logged traffic may leave behind in Redis: Redis holds only what moves. */
export const REDIS_GROWTH_LIMIT_BYTES = 5e6;
/** A filtered list's p99 on a log of a million deliveries. */
export const LIST_P99_LIMIT_MS = 50;

/**
 * Tracing on at 100% sampling may cost at most a tenth of the drain's and of single publishing's
 * throughput, against the same case untraced in the same round.
 */
export const TRACING_RATIO_TARGET = 0.9;

/**
 * Draining to a RabbitMQ endpoint against a bare amqplib publisher with confirms: the dispatcher
 * takes each delivery from Redis and records it, which the publisher, making its messages, does
 * not, so it is held to less than the HTTP drain's 0.8.
 */
export const RABBITMQ_DRAIN_TARGET = 0.7;

/**
 * The drain to an endpoint ordered by resource, its backlog over 1,000 resource ids, against the
 * same drain unordered: each line holds back all but one of its deliveries, and passing a line
 * on to its next costs the dispatcher and Redis work the unordered drain does not do.
 */
export const ORDERED_DRAIN_TARGET = 0.7;

/**
 * Tenant fairness: a tenant publishing a few events a second while another tenant's flood drains
 * may wait at most twice as long (p99) as it does with nothing else queued; its deliveries go
 * ahead of the flood, so what it may pay is only the busier dispatcher and Redis.
 */
export const FAIRNESS_LATENCY_TARGET = 2;
/** Serving the small tenant first may cost the flooding tenant at most a tenth of its drain rate. */
export const FAIRNESS_DRAIN_TARGET = 0.9;

const divide = (a: number | null, b: number | null) =>
  a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;

function judge(
  target: Target | null,
  hookline: number | null,
  ratio: number | null,
): boolean | null {
  if (!target) return null;
  switch (target.kind) {
    case 'ratio at least':
      return ratio === null ? null : ratio >= target.value;
    case 'ratio at most':
      return ratio === null ? null : ratio <= target.value;
    case 'at most':
      return hookline === null ? null : hookline <= target.value;
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

type Spec = Omit<Comparison, 'ratio' | 'met' | 'higherIsBetter'> & { higherIsBetter?: boolean };

function compare(spec: Spec): Comparison {
  const ratio = divide(spec.hookline, spec.reference);
  return {
    ...spec,
    higherIsBetter: spec.higherIsBetter ?? spec.unit === 'per second',
    ratio,
    met: judge(spec.target, spec.hookline, ratio),
  };
}

const errorsOf = (e: SteadyFigures | undefined) =>
  e === undefined ? null : e.publishErrors + e.lost;

/** A steady-rate run whose publisher fell behind measured a lower rate than asked for. */
const held = (e: SteadyFigures) => e.achievedRate >= 0.95 * e.rate;

/** Every Hookline figure beside its reference, with the targets the benchmark holds it to. */
export function buildComparisons(r: Results, sizes: Sizes): Comparison[] {
  const drain = { hookline: 'drain', reference: 'bare-worker' } as const;
  const publish = { hookline: 'publish', reference: 'bare-publish' } as const;
  const e2e = { hookline: 'e2e', reference: 'bare-e2e' } as const;
  // One case's figures beside another's, each picked by the same function from both.
  const sideBySide =
    <F>(
      hookline: F | undefined,
      reference: F | undefined,
      referenceName: ReferenceName,
      cases: Comparison['cases'],
    ) =>
    (figure: string, unit: Unit, pick: (f: F) => number | null, target: Target | null = null) =>
      compare({
        figure,
        unit,
        hookline: hookline ? pick(hookline) : null,
        reference: reference ? pick(reference) : null,
        referenceName,
        cases,
        target,
      });
  // A traced case's figures against its untraced twin's, from the same round.
  const tracedDrain = sideBySide(r.drainTraced, r.drain, 'Hookline, tracing off', {
    hookline: 'drain-traced',
    reference: 'drain',
  });
  const tracedPublish = sideBySide(r.publishTraced, r.publish, 'Hookline, tracing off', {
    hookline: 'publish-traced',
    reference: 'publish',
  });
  // This build's drain beside the baseline build's, when that ran.
  const againstBaseline = sideBySide(
    r.drainBaseline && r.drain,
    r.drainBaseline,
    'Hookline, baseline build',
    { hookline: 'drain', reference: 'drain-baseline' },
  );
  const tracingTarget = { kind: 'ratio at least', value: TRACING_RATIO_TARGET } as const;
  // The drain ordered by resource against the same drain unordered, from the same round.
  const orderedDrain = sideBySide(r.drainOrdered, r.drain, 'Hookline, unordered drain', {
    hookline: 'drain-ordered',
    reference: 'drain',
  });
  // One line against the receiver's round trip, both measured in the one case.
  const oneLine = r.drainOrderedOneKey;
  // The drain to RabbitMQ's figures beside the bare AMQP publisher's (the fields both have).
  const toRabbitmq = sideBySide<DrainFigures & { broker: BrokerFigures }>(
    r.drainRabbitmq,
    r.bareAmqpPublisher,
    'bare AMQP publisher',
    { hookline: 'drain-rabbitmq', reference: 'bare-amqp-publisher' },
  );
  const worker = 'bare worker' as const;
  const pipeline = 'bare pipeline' as const;
  const both = 'bare pipeline + worker' as const;
  const usage = (u: RedisUsage | undefined, pick: (u: RedisUsage) => number) =>
    u ? pick(u) : null;
  const v = <T>(value: T | undefined | null) => value ?? null;

  const comparisons = [
    compare({
      figure: `drain of ${int(sizes.drainEvents)}: deliveries/s (spawn → last)`,
      unit: 'per second',
      hookline: v(r.drain?.perSecond),
      reference: v(r.bareWorker?.perSecond),
      referenceName: worker,
      cases: drain,
      target: { kind: 'ratio at least', value: 0.8 },
    }),
    compare({
      figure: '  first → last (start-up left out)',
      unit: 'per second',
      hookline: v(r.drain?.firstToLast.perSecond),
      reference: v(r.bareWorker?.firstToLast.perSecond),
      referenceName: worker,
      cases: drain,
      target: null,
    }),
    compare({
      figure: 'drain: Redis commands per delivery',
      unit: 'count',
      hookline: usage(r.drain?.redis, (u) => u.commandsPerDelivery),
      reference: usage(r.bareWorker?.redis, (u) => u.commandsPerDelivery),
      referenceName: worker,
      cases: drain,
      target: { kind: 'ratio at most', value: 1.2 },
    }),
    compare({
      figure: 'drain: Redis CPU per delivery',
      unit: 'µs',
      hookline: usage(r.drain?.redis, (u) => u.cpuUsPerDelivery),
      reference: usage(r.bareWorker?.redis, (u) => u.cpuUsPerDelivery),
      referenceName: worker,
      cases: drain,
      target: { kind: 'ratio at most', value: 1.3 },
    }),
    compare({
      figure: '  deliverer process CPU per delivery',
      unit: 'ms',
      hookline: v(r.drain?.cpuMsPerDelivery),
      reference: v(r.bareWorker?.cpuMsPerDelivery),
      referenceName: worker,
      cases: drain,
      target: null,
    }),
    // Shown, not judged: two builds, one run; whether the difference is the change or the
    // machine shows in the rounds' ratios.
    againstBaseline(
      'drain, this build / the baseline build: deliveries/s',
      'per second',
      (d) => d.perSecond,
    ),
    againstBaseline(
      '  first → last (start-up left out)',
      'per second',
      (d) => d.firstToLast.perSecond,
    ),
    againstBaseline('  dispatcher process CPU per delivery', 'ms', (d) => d.cpuMsPerDelivery),
    againstBaseline('  Redis commands per delivery', 'count', (d) => d.redis.commandsPerDelivery),
    againstBaseline('  Redis CPU per delivery', 'µs', (d) => d.redis.cpuUsPerDelivery),
    tracedDrain(
      'drain with tracing on (100%): deliveries/s',
      'per second',
      (d) => d.perSecond,
      tracingTarget,
    ),
    tracedDrain('  first → last (start-up left out)', 'per second', (d) => d.firstToLast.perSecond),
    tracedDrain('  dispatcher process CPU per delivery', 'ms', (d) => d.cpuMsPerDelivery),
    orderedDrain(
      `drain ordered by resource (${int(sizes.orderedResources)} ids): deliveries/s`,
      'per second',
      (d) => d.perSecond,
      { kind: 'ratio at least', value: ORDERED_DRAIN_TARGET },
    ),
    orderedDrain(
      '  first → last (start-up left out)',
      'per second',
      (d) => d.firstToLast.perSecond,
    ),
    orderedDrain('  dispatcher process CPU per delivery', 'ms', (d) => d.cpuMsPerDelivery),
    orderedDrain('  Redis commands per delivery', 'count', (d) => d.redis.commandsPerDelivery),
    orderedDrain('  Redis CPU per delivery', 'µs', (d) => d.redis.cpuUsPerDelivery),
    // Shown, not judged: how much of the bare round trip's pace one line keeps.
    compare({
      figure: `ordered, one line of ${int(sizes.orderedOneKeyEvents)}: deliveries/s (first → last)`,
      unit: 'per second',
      hookline: v(oneLine?.firstToLast.perSecond),
      reference: v(oneLine?.roundTrip.perSecond),
      referenceName: 'one request at a time',
      cases: { hookline: 'drain-ordered-one-key', reference: 'drain-ordered-one-key' },
      target: null,
    }),
    compare({
      figure: '  ms per delivery on the line / per round trip',
      unit: 'ms',
      hookline: oneLine ? Math.round(1e5 / oneLine.firstToLast.perSecond) / 100 : null,
      reference: v(oneLine?.roundTrip.latencyMs.mean),
      referenceName: 'one request at a time',
      cases: { hookline: 'drain-ordered-one-key', reference: 'drain-ordered-one-key' },
      target: null,
    }),
    rabbitmqDrain(r, sizes),
    toRabbitmq('  first → last (start-up left out)', 'per second', (d) => d.firstToLast.perSecond),
    toRabbitmq('  deliverer process CPU per delivery', 'ms', (d) => d.cpuMsPerDelivery),
    toRabbitmq('  RabbitMQ (beam.smp) CPU per message', 'µs', (d) =>
      d.broker.cpuMsPerMessage === null ? null : Math.round(d.broker.cpuMsPerMessage * 10_000) / 10,
    ),
    compare({
      figure: '  dispatcher CPU per delivery: to RabbitMQ / HTTP',
      unit: 'ms',
      hookline: v(r.drainRabbitmq?.cpuMsPerDelivery),
      reference: v(r.drain?.cpuMsPerDelivery),
      referenceName: 'Hookline, HTTP drain',
      cases: { hookline: 'drain-rabbitmq', reference: 'drain' },
      target: null,
    }),
    compare({
      figure: `single publish: requests/s (${sizes.singleConcurrency} clients)`,
      unit: 'per second',
      hookline: v(r.publish?.single.perSecond),
      reference: v(r.barePublish?.single.perSecond),
      referenceName: pipeline,
      cases: publish,
      target: { kind: 'ratio at least', value: 0.9 },
    }),
    compare({
      figure: '  p50 request latency',
      unit: 'ms',
      hookline: v(r.publish?.single.latencyMs.p50),
      reference: v(r.barePublish?.single.latencyMs.p50),
      referenceName: pipeline,
      cases: publish,
      target: null,
    }),
    compare({
      figure: '  p99 request latency',
      unit: 'ms',
      hookline: v(r.publish?.single.latencyMs.p99),
      reference: v(r.barePublish?.single.latencyMs.p99),
      referenceName: pipeline,
      cases: publish,
      target: null,
    }),
    compare({
      figure: '  Redis commands per event',
      unit: 'count',
      hookline: usage(r.publish?.single.redis, (u) => u.commandsPerDelivery),
      reference: usage(r.barePublish?.single.redis, (u) => u.commandsPerDelivery),
      referenceName: pipeline,
      cases: publish,
      target: null,
    }),
    compare({
      figure: '  service process CPU per event',
      unit: 'ms',
      hookline: v(r.publish?.single.cpuMsPerEvent),
      reference: v(r.barePublish?.single.cpuMsPerEvent),
      referenceName: pipeline,
      cases: publish,
      target: null,
    }),
    tracedPublish(
      'single publish with tracing on: requests/s',
      'per second',
      (p) => p.single.perSecond,
      tracingTarget,
    ),
    tracedPublish('  p99 request latency', 'ms', (p) => p.single.latencyMs.p99),
    tracedPublish('  producer process CPU per event', 'ms', (p) => p.single.cpuMsPerEvent),
    compare({
      figure: `batch publish: events/s (${sizes.publishBatches} × ${int(sizes.batchSize)}, ${sizes.batchConcurrency} at once)`,
      unit: 'per second',
      hookline: v(r.publish?.batch.perSecond),
      reference: v(r.barePublish?.batch.perSecond),
      referenceName: pipeline,
      cases: publish,
      target: { kind: 'ratio at least', value: 0.75 },
    }),
    compare({
      figure: '  Redis commands per event',
      unit: 'count',
      hookline: usage(r.publish?.batch.redis, (u) => u.commandsPerDelivery),
      reference: usage(r.barePublish?.batch.redis, (u) => u.commandsPerDelivery),
      referenceName: pipeline,
      cases: publish,
      target: null,
    }),
    compare({
      figure: '  service process CPU per event',
      unit: 'ms',
      hookline: v(r.publish?.batch.cpuMsPerEvent),
      reference: v(r.barePublish?.batch.cpuMsPerEvent),
      referenceName: pipeline,
      cases: publish,
      target: null,
    }),
    tracedPublish(
      'batch publish with tracing on: events/s',
      'per second',
      (p) => p.batch.perSecond,
    ),
  ];

  const p99 = compare({
    figure: `end to end at ${int(sizes.e2eRate)}/s: p99 publish → receipt`,
    unit: 'ms',
    hookline: v(r.e2e?.latencyMs.p99),
    reference: v(r.bareE2e?.latencyMs.p99),
    referenceName: both,
    cases: e2e,
    target: { kind: 'ratio at most', value: 2, noErrors: true },
  });
  // The p99 only counts with every event accepted and received, at the rate asked for.
  const errors = errorsOf(r.e2e);
  if (p99.met !== null && r.e2e && (errors !== 0 || !held(r.e2e))) {
    p99.met = false;
    p99.why = errors !== 0 ? `${errors} errors` : `only ${r.e2e.achievedRate}/s published`;
  }
  comparisons.push(
    p99,
    compare({
      figure: '  p50 publish → receipt',
      unit: 'ms',
      hookline: v(r.e2e?.latencyMs.p50),
      reference: v(r.bareE2e?.latencyMs.p50),
      referenceName: both,
      cases: e2e,
      target: null,
    }),
    compare({
      figure: '  p99 from the scheduled send time',
      unit: 'ms',
      hookline: v(r.e2e?.scheduledLatencyMs.p99),
      reference: v(r.bareE2e?.scheduledLatencyMs.p99),
      referenceName: both,
      cases: e2e,
      target: null,
    }),
    compare({
      figure: '  errors (failed publishes + lost deliveries)',
      unit: 'count',
      hookline: errors,
      reference: errorsOf(r.bareE2e),
      referenceName: both,
      cases: e2e,
      target: null,
      higherIsBetter: false,
    }),
    compare({
      figure: 'peak RSS in the drain: dispatcher',
      unit: 'bytes',
      hookline: v(r.drain?.peakRssBytes),
      reference: v(r.bareWorker?.peakRssBytes),
      referenceName: worker,
      cases: drain,
      target: { kind: 'at most', value: RSS_LIMIT_BYTES },
    }),
    compare({
      figure: 'peak RSS in the drain: producer',
      unit: 'bytes',
      hookline: v(r.drain?.publisherPeakRssBytes),
      reference: v(r.bareWorker?.publisherPeakRssBytes),
      referenceName: pipeline,
      cases: drain,
      target: { kind: 'at most', value: RSS_LIMIT_BYTES },
    }),
  );
  comparisons.push(...fairnessComparisons(r, sizes));
  const log = { hookline: null, reference: null, referenceName: null } as const;
  comparisons.push(
    compare({
      ...log,
      figure: `Redis memory left by ${int(sizes.memoryDeliveries)} deliveries settled and logged`,
      unit: 'bytes',
      hookline: v(r.redisMemory?.growthBytes),
      cases: { hookline: 'redis-memory', reference: null },
      target: { kind: 'at most', value: REDIS_GROWTH_LIMIT_BYTES },
      higherIsBetter: false,
    }),
    compare({
      ...log,
      figure: `log lag at ${int(sizes.e2eRate)}/s: p99 change → listed`,
      unit: 'ms',
      hookline: v(r.logLag?.lagMs.p99),
      cases: { hookline: 'log-lag', reference: null },
      target: { kind: 'at most', value: 1_000 },
    }),
    compare({
      ...log,
      figure: `filtered list on a log of ${int(sizes.listDeliveries)}: p99`,
      unit: 'ms',
      hookline: v(r.logList?.latencyMs.p99),
      cases: { hookline: 'log-list', reference: null },
      target: { kind: 'at most', value: LIST_P99_LIMIT_MS },
    }),
  );
  return comparisons;
}

/**
 * The drain to RabbitMQ against the bare publisher. It counts only with the queue holding exactly
 * the backlog once the dispatcher stopped: fewer is a lost delivery, more a duplicate.
 */
function rabbitmqDrain(r: Results, sizes: Sizes): Comparison {
  const d = r.drainRabbitmq;
  const row = compare({
    figure: `drain of ${int(sizes.drainEvents)} to RabbitMQ: deliveries/s (spawn → last)`,
    unit: 'per second',
    hookline: d?.perSecond ?? null,
    reference: r.bareAmqpPublisher?.perSecond ?? null,
    referenceName: 'bare AMQP publisher',
    cases: { hookline: 'drain-rabbitmq', reference: 'bare-amqp-publisher' },
    target: { kind: 'ratio at least', value: RABBITMQ_DRAIN_TARGET },
  });
  if (row.met !== null && d && d.broker.depth !== d.count) {
    row.met = false;
    row.why = `the queue held ${int(d.broker.depth)} of ${int(d.count)}`;
  }
  return row;
}

/**
 * The fairness case's rows: tenant B's latency during tenant A's flood against B's alone, and A's
 * drain with B against A's alone; both sides of each from the one case, so from the same round.
 * B's p99 counts only with every one of B's events, in both parts, accepted and received.
 */
export function fairnessComparisons(r: Results, sizes: Sizes): Comparison[] {
  const f = r.fairness;
  const cases = { hookline: 'fairness', reference: 'fairness' } as const;
  const b = (
    figure: string,
    unit: Unit,
    pick: (t: TrickleFigures) => number,
    target: Target | null = null,
  ) =>
    compare({
      figure,
      unit,
      hookline: f ? pick(f.duringFlood) : null,
      reference: f ? pick(f.alone) : null,
      referenceName: 'Hookline, B alone',
      cases,
      target,
      higherIsBetter: false,
    });
  const a = (figure: string, pick: (d: DrainFigures) => number, target: Target | null = null) =>
    compare({
      figure,
      unit: 'per second',
      hookline: f ? pick(f.flood) : null,
      reference: f ? pick(f.floodAlone) : null,
      referenceName: 'Hookline, A alone',
      cases,
      target,
    });
  const p99 = b(
    `fairness: B's p99 at ${int(sizes.fairnessRate)}/s during A's flood of ${int(sizes.fairnessEvents)} / alone`,
    'ms',
    (t) => t.latencyMs.p99,
    { kind: 'ratio at most', value: FAIRNESS_LATENCY_TARGET, noErrors: true },
  );
  const errors = f ? trickleErrors(f.duringFlood) + trickleErrors(f.alone) : 0;
  if (p99.met !== null && errors > 0) {
    p99.met = false;
    p99.why = `${errors} of B's events failed or lost`;
  }
  return [
    p99,
    b('  p50 publish → receipt', 'ms', (t) => t.latencyMs.p50),
    b("  B's events measured", 'count', (t) => t.received),
    a(
      "fairness: A's drain with B / alone: deliveries/s (first → last)",
      (d) => d.firstToLast.perSecond,
      { kind: 'ratio at least', value: FAIRNESS_DRAIN_TARGET },
    ),
    a('  spawn → last', (d) => d.perSecond),
  ];
}

const trickleErrors = (t: TrickleFigures) => t.publishErrors + t.lost;

/** The drain's Redis commands side by side, Hookline's most-called first. */
export function compareCommands(r: Results): CommandComparison[] {
  const hookline = new Map((r.drain?.redis.commands ?? []).map((c) => [c.command, c]));
  const reference = new Map((r.bareWorker?.redis.commands ?? []).map((c) => [c.command, c]));
  const names = [...new Set([...hookline.keys(), ...reference.keys()])];
  const calls = (c: { perDelivery: number } | undefined) => c?.perDelivery ?? 0;
  return names
    .sort(
      (a, b) =>
        calls(hookline.get(b)) - calls(hookline.get(a)) ||
        calls(reference.get(b)) - calls(reference.get(a)),
    )
    .map((command) => {
      const h = hookline.get(command);
      const b = reference.get(command);
      return {
        command,
        hookline: h ? { perDelivery: h.perDelivery, usPerDelivery: h.usPerDelivery } : null,
        reference: b ? { perDelivery: b.perDelivery, usPerDelivery: b.usPerDelivery } : null,
      };
    });
}

/**
 * The per-master Redis CPU per delivery, 3 masters against 1, must be at most this. An even
 * split is 1/3, each master serving 4 of the 12 shards (the report shows the layout it found).
 * Above that, the busiest master also carries the random spread of the backlog's publishes over
 * the shards (each publish is one shard: a few percent of the deliveries at these sizes), the
 * catalog's hash tag (endpoint reads, health, rate limits) when it holds it, and the cluster bus.
 * 0.45 leaves a third above the even split for those, and still fails a split in which one
 * master keeps half the work or more.
 */
export const CLUSTER_CPU_SPLIT_TARGET = 0.45;

/** The largest of the masters' figures (the busiest master bounds the cluster); null for none. */
export function busiestMaster(
  perMaster: readonly { redis: RedisUsage }[] | undefined,
  pick: (u: RedisUsage) => number,
): number | null {
  if (!perMaster || perMaster.length === 0) return null;
  return Math.max(...perMaster.map((m) => pick(m.redis)));
}

/**
 * The Redis Cluster drains side by side: 3 masters (the `hookline` side of each comparison)
 * against 1 (the `reference` side), the same backlog, shards and dispatcher.
 */
export function buildClusterComparisons(r: Results, sizes: Sizes): Comparison[] {
  const cases = { hookline: 'cluster-drain-3', reference: 'cluster-drain-1' } as const;
  const three = r.clusterDrain3;
  const one = r.clusterDrain1;
  const row = (
    figure: string,
    unit: Unit,
    pick: (d: NonNullable<Results['clusterDrain1']>) => number | null,
    target: Target | null = null,
  ) =>
    compare({
      figure,
      unit,
      hookline: three ? pick(three) : null,
      reference: one ? pick(one) : null,
      referenceName: null,
      cases,
      target,
      higherIsBetter: unit === 'per second',
    });
  const cpu = (u: RedisUsage) => u.cpuUsPerDelivery;
  const commands = (u: RedisUsage) => u.commandsPerDelivery;
  return [
    // Not judged: on the bench's 2 cores the masters share the CPUs the one master had.
    row(
      `cluster drain of ${int(sizes.drainEvents)}: deliveries/s (spawn → last)`,
      'per second',
      (d) => d.perSecond,
    ),
    row('  first → last (start-up left out)', 'per second', (d) => d.firstToLast.perSecond),
    row(
      'per-master Redis CPU per delivery (busiest master)',
      'µs',
      (d) => busiestMaster(d.perMaster, cpu),
      { kind: 'ratio at most', value: CLUSTER_CPU_SPLIT_TARGET },
    ),
    row('  all masters together', 'µs', (d) => d.redis.cpuUsPerDelivery),
    row('per-master Redis commands per delivery (busiest master)', 'count', (d) =>
      busiestMaster(d.perMaster, commands),
    ),
    row('  all masters together', 'count', (d) => d.redis.commandsPerDelivery),
    row('  dispatcher process CPU per delivery', 'ms', (d) => d.cpuMsPerDelivery),
  ];
}
