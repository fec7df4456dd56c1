import {
  buildClusterComparisons,
  buildComparisons,
  busiestMaster,
  compareCommands,
  fairnessComparisons,
} from './comparisons';
import type { RedisUsage } from './redis-usage';
import type {
  ClusterDrainFigures,
  DrainFigures,
  PublishFigures,
  Results,
  SteadyFigures,
  TracingFigures,
  TrickleFigures,
} from './results';
import { FULL } from './sizes';
import { summarize } from './stats';

const usage = (commands: number, cpuUs: number, list: RedisUsage['commands'] = []): RedisUsage => ({
  scriptsPerDelivery: 1,
  commandsPerDelivery: commands,
  cpuUsPerDelivery: cpuUs,
  commands: list,
});

const drainOf = (perSecond: number, redis: RedisUsage, rssMb: number): DrainFigures => ({
  count: 1_000,
  ms: 1_000,
  perSecond,
  firstToLast: { count: 999, ms: 900, perSecond },
  startupMs: 100,
  duplicates: 0,
  publishMs: 500,
  redis,
  cpuMsPerDelivery: 0.5,
  peakRssBytes: rssMb * 1e6,
  publisherPeakRssBytes: rssMb * 1e6,
});

const steadyOf = (p99: number, errors: { publishErrors?: number; lost?: number } = {}) =>
  ({
    rate: 500,
    seconds: 20,
    warmupSeconds: 2,
    sent: 10_000,
    accepted: 10_000,
    received: 10_000,
    publishErrors: 0,
    lost: 0,
    duplicates: 0,
    latencyMs: { ...summarize([1, 2, 3]), p99 },
    scheduledLatencyMs: summarize([1, 2, 3]),
    publishLatencyMs: summarize([1, 2, 3]),
    achievedRate: 500,
    ...errors,
  }) satisfies SteadyFigures;

const byFigure = (results: Results, start: string) =>
  buildComparisons(results, FULL).find((c) => c.figure.startsWith(start))!;

describe('buildComparisons', () => {
  it('sets the drain against the bare worker: throughput at least 0.8×, Redis commands at most 1.2× and CPU at most 1.3×', () => {
    const results: Results = {
      drain: {
        ...drainOf(900, usage(24, 156), 150),
        healthyMs: 50,
        attempts: null,
        attemptMs: null,
        dispatcherHeap: null,
      },
      bareWorker: drainOf(1_000, usage(20, 120), 100),
    };
    const drain = byFigure(results, 'drain of');
    expect(drain.ratio).toBeCloseTo(0.9);
    expect(drain.met).toBe(true);
    const commands = byFigure(results, 'drain: Redis commands');
    expect(commands.ratio).toBeCloseTo(1.2);
    expect(commands.met).toBe(true);
    expect(byFigure(results, 'drain: Redis CPU').ratio).toBeCloseTo(1.3);
    expect(byFigure(results, 'drain: Redis CPU').met).toBe(true);
  });

  it('misses a target the ratio misses, and leaves it unjudged when the reference did not run', () => {
    const slow: Results = {
      drain: {
        ...drainOf(700, usage(40, 150), 150),
        healthyMs: 50,
        attempts: null,
        attemptMs: null,
        dispatcherHeap: null,
      },
      bareWorker: drainOf(1_000, usage(20, 120), 100),
    };
    expect(byFigure(slow, 'drain of').met).toBe(false);
    expect(byFigure(slow, 'drain: Redis commands').met).toBe(false);
    const alone: Results = { drain: slow.drain };
    expect(byFigure(alone, 'drain of').ratio).toBeNull();
    expect(byFigure(alone, 'drain of').met).toBeNull();
  });

  it('sets the drain to RabbitMQ against the bare AMQP publisher at 0.7×, and misses it when the queue holds other than the backlog', () => {
    const queue = (depth: number) => ({ queue: 'q', depth, cpuMsPerMessage: 0.0456 });
    const hookline = (depth: number): Results['drainRabbitmq'] => ({
      ...drainOf(700, usage(20, 100), 150),
      healthyMs: 50,
      attempts: null,
      attemptMs: null,
      dispatcherHeap: null,
      broker: queue(depth),
    });
    const reference = { ...drainOf(1_000, usage(0, 0), 80), broker: queue(1_000) };
    const whole = byFigure(
      { drainRabbitmq: hookline(1_000), bareAmqpPublisher: reference },
      'drain of 20,000 to RabbitMQ',
    );
    expect(whole.ratio).toBeCloseTo(0.7);
    expect(whole.met).toBe(true);
    const short = byFigure(
      { drainRabbitmq: hookline(999), bareAmqpPublisher: reference },
      'drain of 20,000 to RabbitMQ',
    );
    expect(short.met).toBe(false);
    expect(short.why).toBe('the queue held 999 of 1,000');
    const broker = byFigure(
      { drainRabbitmq: hookline(1_000), bareAmqpPublisher: reference },
      '  RabbitMQ (beam.smp) CPU per message',
    );
    expect(broker.hookline).toBe(45.6);
  });

  it('holds each peak RSS to 200 MB whatever the reference uses', () => {
    const results: Results = {
      drain: {
        ...drainOf(900, usage(30, 150), 250),
        healthyMs: 50,
        attempts: null,
        attemptMs: null,
        dispatcherHeap: null,
      },
      bareWorker: drainOf(1_000, usage(20, 120), 400),
    };
    expect(byFigure(results, 'peak RSS in the drain: dispatcher').met).toBe(false);
    expect(byFigure(results, 'peak RSS in the drain: producer').met).toBe(false);
  });

  it('misses the end-to-end p99 on any error even when the ratio is within 2×', () => {
    const within = byFigure({ e2e: steadyOf(30), bareE2e: steadyOf(20) }, 'end to end');
    expect(within.met).toBe(true);
    const lost = byFigure({ e2e: steadyOf(30, { lost: 1 }), bareE2e: steadyOf(20) }, 'end to end');
    expect(lost.met).toBe(false);
    expect(lost.why).toBe('1 errors');
  });
  it('holds what settled traffic leaves in Redis to 5 MB and a filtered list p99 to 50 ms, with no reference', () => {
    const results: Results = {
      redisMemory: {
        deliveries: 100_000,
        beforeBytes: 2e6,
        afterBytes: 6e6,
        growthBytes: 4e6,
        settleMs: 200,
      },
      logList: {
        deliveries: 1_000_000,
        endpoints: 20,
        requests: 500,
        errors: 0,
        seedMs: null,
        latencyMs: { ...summarize([5, 10]), p99: 51 },
      },
    };
    const memory = byFigure(results, 'Redis memory left by 100,000');
    expect([memory.hookline, memory.reference, memory.ratio, memory.met]).toEqual([
      4e6,
      null,
      null,
      true,
    ]);
    expect(byFigure(results, 'filtered list on a log of 1,000,000').met).toBe(false);
    // The log's lag is held to a second; not measured here, so not judged.
    const lag = byFigure(results, 'log lag at 500/s');
    expect([lag.hookline, lag.target, lag.met]).toEqual([
      null,
      { kind: 'at most', value: 1_000 },
      null,
    ]);
  });
});

const tracing: TracingFigures = {
  service: 'hookline-dispatcher',
  sent: { requests: 2, bytes: 1_000, spans: 1_000 },
  per: 'delivery',
  units: 1_000,
  spansPerUnit: 1,
  sink: { requests: 2, bytes: 1_000, spans: 1_000, refused: 0, services: {} },
  sinkCpuMs: 10,
};

const publishOf = (single: number, batch: number): PublishFigures => ({
  batch: {
    count: 20_000,
    ms: 1_000,
    perSecond: batch,
    batches: 20,
    batchSize: 1_000,
    concurrency: 4,
    redis: usage(12, 50),
    cpuMsPerEvent: 0.1,
  },
  single: {
    count: 5_000,
    ms: 1_000,
    perSecond: single,
    concurrency: 32,
    latencyMs: summarize([1, 2, 3]),
    redis: usage(16, 60),
    cpuMsPerEvent: 0.5,
  },
});

describe('buildComparisons with tracing on', () => {
  it('sets the traced drain and single publish against the untraced Hookline cases: at least 0.9×', () => {
    const results: Results = {
      drain: {
        ...drainOf(1_000, usage(30, 150), 150),
        healthyMs: 50,
        attempts: null,
        attemptMs: null,
        dispatcherHeap: null,
      },
      drainTraced: {
        ...drainOf(900, usage(30, 150), 160),
        healthyMs: 50,
        attempts: null,
        attemptMs: null,
        dispatcherHeap: null,
        tracing,
      },
      publish: publishOf(2_000, 10_000),
      publishTraced: { ...publishOf(1_700, 9_000), tracing },
    };
    const drain = byFigure(results, 'drain with tracing on (100%): deliveries/s');
    expect([drain.hookline, drain.reference, drain.referenceName]).toEqual([
      900,
      1_000,
      'Hookline, tracing off',
    ]);
    expect(drain.cases).toEqual({ hookline: 'drain-traced', reference: 'drain' });
    expect(drain.met).toBe(true);
    const single = byFigure(results, 'single publish with tracing on: requests/s');
    expect(single.ratio).toBeCloseTo(0.85);
    expect(single.target).toEqual({ kind: 'ratio at least', value: 0.9 });
    expect(single.met).toBe(false);
    expect(byFigure(results, 'batch publish with tracing on').target).toBeNull();
  });

  it('leaves a traced figure unjudged when its untraced twin did not run', () => {
    const alone: Results = { publishTraced: { ...publishOf(1_700, 9_000), tracing } };
    const single = byFigure(alone, 'single publish with tracing on');
    expect([single.hookline, single.ratio, single.met]).toEqual([1_700, null, null]);
  });
});

describe('compareCommands', () => {
  it('lines up each command of both drains, Hookline’s most-called first', () => {
    const results: Results = {
      drain: {
        ...drainOf(
          900,
          usage(3, 150, [
            { command: 'evalsha', perDelivery: 2, usPerDelivery: 100 },
            { command: 'hget', perDelivery: 1, usPerDelivery: 1 },
          ]),
          150,
        ),
        healthyMs: 50,
        attempts: null,
        attemptMs: null,
        dispatcherHeap: null,
      },
      bareWorker: drainOf(
        1_000,
        usage(2, 120, [
          { command: 'evalsha', perDelivery: 1, usPerDelivery: 60 },
          { command: 'xadd', perDelivery: 1, usPerDelivery: 5 },
        ]),
        100,
      ),
    };
    expect(
      compareCommands(results).map((c) => [
        c.command,
        c.hookline?.perDelivery,
        c.reference?.perDelivery,
      ]),
    ).toEqual([
      ['evalsha', 2, 1],
      ['hget', 1, undefined],
      ['xadd', undefined, 1],
    ]);
  });
});

const clusterOf = (perSecond: number, masters: [cpuUs: number, commands: number][]) =>
  ({
    ...drainOf(
      perSecond,
      usage(
        masters.reduce((sum, [, commands]) => sum + commands, 0),
        masters.reduce((sum, [cpuUs]) => sum + cpuUs, 0),
      ),
      150,
    ),
    masters: masters.length,
    shards: 12,
    batchSize: 10,
    queuePrefix: 'bench8',
    perMaster: masters.map(([cpuUs, commands], i) => ({
      port: 40_000 + i,
      slots: [0, 16_383] as [number, number],
      shards: [],
      catalog: i === 0,
      deliveries: null,
      redis: usage(commands, cpuUs),
    })),
  }) satisfies ClusterDrainFigures;

const clusterRow = (results: Results, start: string) =>
  buildClusterComparisons(results, FULL).find((c) => c.figure.startsWith(start))!;

describe('buildClusterComparisons', () => {
  it('sets the busiest of 3 masters’ Redis CPU per delivery against the one master’s: at most 0.45×', () => {
    const results: Results = {
      clusterDrain1: clusterOf(1_000, [[150, 39]]),
      clusterDrain3: clusterOf(900, [
        [50, 13],
        [60, 14],
        [52, 13],
      ]),
    };
    const cpu = clusterRow(results, 'per-master Redis CPU');
    expect(cpu.reference).toBe(150);
    expect(cpu.hookline).toBe(60);
    expect(cpu.ratio).toBeCloseTo(0.4);
    expect(cpu.met).toBe(true);
    expect(clusterRow(results, 'per-master Redis commands').hookline).toBe(14);
    expect(clusterRow(results, 'cluster drain of').target).toBeNull();
  });

  it('misses when one master keeps half the work, and is unjudged with one side missing', () => {
    const uneven: Results = {
      clusterDrain1: clusterOf(1_000, [[150, 39]]),
      clusterDrain3: clusterOf(900, [
        [75, 20],
        [40, 10],
        [40, 9],
      ]),
    };
    expect(clusterRow(uneven, 'per-master Redis CPU').met).toBe(false);
    const alone = clusterRow({ clusterDrain3: uneven.clusterDrain3 }, 'per-master Redis CPU');
    expect(alone.ratio).toBeNull();
    expect(alone.met).toBeNull();
  });

  it('takes the busiest master, or nothing without masters', () => {
    expect(
      busiestMaster([{ redis: usage(1, 5) }, { redis: usage(2, 7) }], (u) => u.cpuUsPerDelivery),
    ).toBe(7);
    expect(busiestMaster([], (u) => u.cpuUsPerDelivery)).toBeNull();
  });
});

describe('buildComparisons for ordered endpoints', () => {
  const hooklineDrain = (perSecond: number) => ({
    ...drainOf(perSecond, usage(30, 150), 150),
    healthyMs: 50,
    attempts: null,
    attemptMs: null,
    dispatcherHeap: null,
  });

  it('sets the drain ordered by resource against the unordered drain of the same round: at least 0.7×', () => {
    const ordered = (perSecond: number): Results => ({
      drain: hooklineDrain(1_000),
      drainOrdered: {
        ...hooklineDrain(perSecond),
        ordering: { key: 'resource', lines: 1_000 },
      },
    });
    const met = byFigure(ordered(700), 'drain ordered by resource (1,000 ids)');
    expect([met.hookline, met.reference, met.referenceName, met.met]).toEqual([
      700,
      1_000,
      'Hookline, unordered drain',
      true,
    ]);
    expect(met.cases).toEqual({ hookline: 'drain-ordered', reference: 'drain' });
    expect(byFigure(ordered(690), 'drain ordered by resource').met).toBe(false);
    const alone = byFigure({ drainOrdered: ordered(700).drainOrdered }, 'drain ordered');
    expect([alone.hookline, alone.ratio, alone.met]).toEqual([700, null, null]);
  });

  it('shows one line against the receiver’s round trip, unjudged: deliveries/s against 1 / the mean round trip', () => {
    const results: Results = {
      drainOrderedOneKey: {
        ...hooklineDrain(400),
        ordering: { key: 'endpoint', lines: 1 },
        roundTrip: {
          count: 1_000,
          latencyMs: { ...summarize([0.2]), mean: 0.25 },
          perSecond: 4_000,
        },
      },
    };
    const rate = byFigure(results, 'ordered, one line of 2,000');
    expect([rate.hookline, rate.reference, rate.referenceName, rate.target]).toEqual([
      400,
      4_000,
      'one request at a time',
      null,
    ]);
    expect(rate.ratio).toBeCloseTo(0.1);
    const each = byFigure(results, '  ms per delivery on the line');
    expect([each.hookline, each.reference, each.higherIsBetter]).toEqual([2.5, 0.25, false]);
  });
});

describe('fairnessComparisons', () => {
  const trickleOf = (p99: number, errors: { publishErrors?: number; lost?: number } = {}) =>
    ({
      rate: 5,
      sent: 50,
      accepted: 50 - (errors.publishErrors ?? 0),
      received: 50 - (errors.publishErrors ?? 0) - (errors.lost ?? 0),
      publishErrors: 0,
      lost: 0,
      duplicates: 0,
      latencyMs: { ...summarize([4, 5, 6]), p50: 5, p99 },
      ...errors,
    }) satisfies TrickleFigures;
  const fairnessOf = (
    during: TrickleFigures,
    alone: TrickleFigures,
    withB: number,
    aloneRate: number,
  ): Results => ({
    fairness: {
      backlog: 100_000,
      alone,
      floodAlone: { ...drainOf(aloneRate, usage(20, 100), 100), attempts: null, attemptMs: null },
      flood: { ...drainOf(withB, usage(20, 100), 100), attempts: null, attemptMs: null },
      duringFlood: during,
    },
  });
  const rowOf = (results: Results, start: string) =>
    fairnessComparisons(results, FULL).find((c) => c.figure.startsWith(start))!;

  it("sets B's p99 during A's flood against B's alone at 2×, and A's drain with B against alone at 0.9×", () => {
    const results = fairnessOf(trickleOf(20), trickleOf(10), 2_700, 3_000);
    const p99 = rowOf(results, "fairness: B's p99");
    expect(p99.figure).toBe("fairness: B's p99 at 5/s during A's flood of 100,000 / alone");
    expect(p99.ratio).toBeCloseTo(2);
    expect(p99.higherIsBetter).toBe(false);
    expect(p99.met).toBe(true);
    const drain = rowOf(results, "fairness: A's drain");
    expect(drain.ratio).toBeCloseTo(0.9);
    expect(drain.met).toBe(true);
    expect(drain.referenceName).toBe('Hookline, A alone');
  });

  it('misses either target its ratio misses', () => {
    const results = fairnessOf(trickleOf(2_500), trickleOf(10), 2_600, 3_000);
    expect(rowOf(results, "fairness: B's p99").met).toBe(false);
    expect(rowOf(results, "fairness: A's drain").met).toBe(false);
  });

  it("misses B's p99 when any of B's events failed or was lost, during the flood or alone", () => {
    const lost = fairnessOf(trickleOf(12, { lost: 2 }), trickleOf(10), 3_000, 3_000);
    expect(rowOf(lost, "fairness: B's p99").met).toBe(false);
    expect(rowOf(lost, "fairness: B's p99").why).toBe("2 of B's events failed or lost");
    const failed = fairnessOf(trickleOf(12), trickleOf(10, { publishErrors: 1 }), 3_000, 3_000);
    expect(rowOf(failed, "fairness: B's p99").met).toBe(false);
  });

  it('leaves the rows unjudged when the case did not run, and is part of the whole table', () => {
    expect(fairnessComparisons({}, FULL).every((c) => c.met === null && c.hookline === null)).toBe(
      true,
    );
    const results = fairnessOf(trickleOf(20), trickleOf(10), 2_700, 3_000);
    expect(byFigure(results, "fairness: B's p99").ratio).toBeCloseTo(2);
  });
});
