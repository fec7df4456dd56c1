import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { shardSpread } from './cluster-layout';
import {
  buildClusterComparisons,
  buildComparisons,
  compareCommands,
  type CommandComparison,
  type Comparison,
  type Target,
  type Unit,
} from './comparisons';
import type { ProfileRef } from './cpu-profile';
import { int, megabytes, ms, percent, ratio, renderTable } from './format';
import { medianComparisons } from './rounds';
import type { CaseFailure, CaseId, ClusterDrainFigures, Results, TracingFigures } from './results';
import type { Sizes } from './sizes';
import { compositeCeiling } from './stats';

export interface RunInfo {
  startedAt: string;
  durationMs: number;
  quick: boolean;
  /** `--profile`: the profiled processes (dispatcher, producer) ran under the profiler, a little slower. */
  profile: boolean;
  node: string;
  redis: string;
  cpus: number;
  cpuModel: string;
  /** 1-minute load average at the start and the end: the machine is shared, this says how busy. */
  loadAverage: { start: number; end: number };
  commit: string | null;
  sizes: Sizes;
  /** How many times the Hookline cases and their references ran (rounds.ts). */
  rounds: number;
}

export interface Report {
  run: RunInfo;
  /**
   * The last round's results, with the cases run once: what the context lines, the Redis command
   * table and the profiles show.
   */
  results: Results;
  /** Hookline's figures beside the references', with the targets: the benchmark's verdict (the median round of each). */
  comparisons: Comparison[];
  /** Each round's comparisons, when there were several. */
  roundComparisons?: Comparison[][];
  /** The drain's INFO commandstats per delivery, Hookline's and the bare worker's. */
  redisCommands: CommandComparison[];
  /** The Redis Cluster drains: 3 masters (`hookline`) beside 1 (`reference`). */
  clusterComparisons: Comparison[];
  compositeCeiling: number | null;
  failures: CaseFailure[];
}

export function buildReport(
  run: RunInfo,
  roundResults: readonly Results[],
  failures: CaseFailure[],
): Report {
  const [first = {}] = roundResults;
  // The cases run once are in the first round's results: every round is judged with them.
  const rounds = roundResults.map((r) => ({ ...first, ...r }));
  const results = rounds.at(-1) ?? {};
  const roundComparisons = rounds.map((r) => buildComparisons(r, run.sizes));
  const { signedPost, bullmqNoop } = results;
  return {
    run,
    results,
    comparisons: medianComparisons(roundComparisons),
    ...(rounds.length > 1 ? { roundComparisons } : {}),
    redisCommands: compareCommands(results),
    clusterComparisons: buildClusterComparisons(results, run.sizes),
    compositeCeiling:
      signedPost && bullmqNoop
        ? compositeCeiling(signedPost.perSecond, bullmqNoop.perSecond)
        : null,
    failures,
  };
}

function value(n: number, unit: Unit): string {
  switch (unit) {
    case 'per second':
      return int(n);
    case 'ms':
      return n < 10 ? `${n.toFixed(2)} ms` : ms(n);
    case 'µs':
      return n < 10 ? `${n.toFixed(1)} µs` : `${int(n)} µs`;
    case 'count':
      return Number.isInteger(n) ? int(n) : n.toFixed(2);
    case 'bytes':
      return megabytes(n);
    default: {
      const never: never = unit;
      throw new Error(`unknown unit ${String(never)}`);
    }
  }
}

function targetText(target: Target | null, unit: Unit): string {
  if (!target) return '';
  switch (target.kind) {
    case 'ratio at least':
      return `≥ ${target.value}×`;
    case 'ratio at most':
      return `≤ ${target.value}×${target.noErrors ? ', no errors' : ''}`;
    case 'at most':
      return `≤ ${value(target.value, unit)}`;
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

function verdict(c: Comparison): string {
  if (!c.target) return '';
  if (c.met === null) return 'n/a';
  return c.met ? 'PASS' : `MISS${c.why ? ` (${c.why})` : ''}`;
}

/** Deliveries in flight on average: whole ones, or tenths below 10 (one line has at most 1). */
const inFlight = (n: number) => n.toFixed(n < 10 ? 1 : 0);

/** The printed report: the comparison table, context, the drain's Redis commands, failures. */
export function renderReport(report: Report): string {
  const { results: r, run, failures } = report;
  const failed = (id: CaseId | null) => (id ? failures.find((f) => f.case === id) : undefined);
  const cell = (n: number | null, unit: Unit, id: CaseId | null) =>
    n !== null && Number.isFinite(n) ? value(n, unit) : failed(id) ? 'failed' : '–';

  // Figures whose cases did not run (--only) are left out; failed ones say so.
  const shown = report.comparisons.filter(
    (c) =>
      c.hookline !== null ||
      c.reference !== null ||
      failed(c.cases.hookline) ||
      failed(c.cases.reference),
  );
  const withRounds = run.rounds > 1;
  const rows = shown.map((c) => [
    c.figure,
    cell(c.hookline, c.unit, c.cases.hookline),
    cell(c.reference, c.unit, c.cases.reference),
    ratio(c.ratio),
    ...(withRounds
      ? [(c.roundRatios ?? []).map((r) => (r === null ? '–' : r.toFixed(2))).join(' ')]
      : []),
    targetText(c.target, c.unit),
    verdict(c),
  ]);
  const table = renderTable(
    [
      'figure',
      'Hookline',
      'bare reference',
      'ratio',
      ...(withRounds ? ['each round'] : []),
      'target',
      '',
    ],
    rows,
  );
  const legend = [
    ...(withRounds
      ? [
          `${run.rounds} rounds, each the reference and then Hookline: every figure is its median round (with an even`,
          'number, the worse middle one), every ratio of the rounds beside it; the lines below the table are the last round.',
        ]
      : []),
    'bare reference: the bare worker (BullMQ + undici + Standard Webhooks signing, no records) for the drain and the',
    'dispatcher; the bare pipeline (express + zod + queue.add / addBulk) for publishing and the producer; both, end to end.',
    'Each runs as its own process just before its Hookline case: same redis-server, receiver, payloads, clients and load.',
    ...(shown.some((c) => c.referenceName === 'bare AMQP publisher')
      ? [
          'to RabbitMQ: the bare AMQP publisher (amqplib, one confirm channel: sign, publish persistent, await the confirm,',
          'as many in flight as the dispatcher) makes its messages itself; each side publishes to a durable queue of its own,',
          'nobody consuming, and is timed until the queue holds them all (its depth read every 20 ms).',
        ]
      : []),
    ...(shown.some((c) => c.referenceName === 'Hookline, unordered drain')
      ? [
          `ordered by resource: the drain's backlog, each event with a resource id (${int(run.sizes.orderedResources)} of them, in turn), published one`,
          'batch after the other, to one endpoint ordered by resource; the reference is the unordered drain of the same round.',
        ]
      : []),
    ...(shown.some((c) => c.referenceName === 'one request at a time')
      ? [
          'one line: an endpoint ordered by endpoint, so one delivery at a time; the reference is signed POSTs to the',
          'receiver one at a time over one keep-alive undici connection, timed in the same case: 1 / its mean round trip.',
        ]
      : []),
    ...(shown.some((c) => c.referenceName === 'Hookline, B alone')
      ? [
          `fairness: tenant B publishes single events at ${int(run.sizes.fairnessRate)}/s, alone, then while tenant A's flood (published at once, then`,
          'one dispatcher started, as the drain) drains; the references are B alone and the same flood drained with B silent,',
          'all in the one case: each part on a producer and dispatcher of its own, at default settings.',
        ]
      : []),
    ...(shown.some((c) => c.referenceName === 'Hookline, tracing off')
      ? [
          'with tracing on: the reference is the same Hookline case untraced, just before it in the same round; tracing on',
          'exports every span (always_on) over OTLP/HTTP protobuf to a sink process of the bench’s (see "tracing on" below).',
        ]
      : []),
  ];

  const context: string[][] = [];
  if (r.signedPost)
    context.push([
      'ceiling: signed POST',
      `${int(r.signedPost.perSecond)} req/s (node:http, ${r.signedPost.inFlight} in flight)`,
    ]);
  if (r.bullmqNoop)
    context.push([
      'ceiling: BullMQ no-op',
      `${int(r.bullmqNoop.perSecond)} jobs/s (concurrency ${r.bullmqNoop.concurrency})`,
    ]);
  if (report.compositeCeiling !== null)
    context.push([
      'ceiling: composite',
      `${int(report.compositeCeiling)} deliveries/s = 1/(1/post + 1/no-op)`,
    ]);
  if (r.drain || r.bareWorker)
    context.push([
      'drain start-up (spawn → 1st delivery)',
      [
        r.drain ? `Hookline ${ms(r.drain.startupMs)}` : '',
        r.bareWorker ? `bare worker ${ms(r.bareWorker.startupMs)}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    ]);
  for (const [name, d] of [
    ['drain', r.drain],
    ['drain ordered by resource', r.drainOrdered],
    ['ordered, one line', r.drainOrderedOneKey],
    ['drain to RabbitMQ', r.drainRabbitmq],
  ] as const)
    if (d?.attemptMs != null && d.attempts != null)
      context.push([
        `${name}: the dispatcher's attempts`,
        `${int(d.attempts)} of ${d.attemptMs.toFixed(1)} ms on average: ` +
          `${inFlight((d.firstToLast.perSecond * d.attemptMs) / 1000)} in flight on average at ${int(d.firstToLast.perSecond)}/s (Little's law)`,
      ]);
  if (r.drainOrderedOneKey) {
    const { roundTrip: t } = r.drainOrderedOneKey;
    context.push([
      'one line: the receiver’s round trip',
      `${int(t.count)} signed POSTs one at a time: mean ${t.latencyMs.mean.toFixed(2)} ms, p50 ${t.latencyMs.p50.toFixed(2)} ms, p99 ${t.latencyMs.p99.toFixed(2)} ms`,
    ]);
  }
  const queues = [
    ['Hookline', r.drainRabbitmq],
    ['bare publisher', r.bareAmqpPublisher],
  ] as const;
  if (r.drainRabbitmq || r.bareAmqpPublisher)
    context.push([
      'drain to RabbitMQ: the queue at the end',
      queues
        .flatMap(([name, d]) =>
          d
            ? [
                `${name} ${int(d.broker.depth)} messages of ${int(d.count)}, start-up ${ms(d.startupMs)}` +
                  (d.peakRssBytes === null ? '' : `, peak RSS ${megabytes(d.peakRssBytes)}`),
              ]
            : [],
        )
        .join(' · '),
    ]);
  if (r.drain?.dispatcherHeap?.totalBytes != null && r.drain.dispatcherHeap.usedBytes != null)
    context.push([
      'dispatcher V8 heap at the drain’s end',
      `${megabytes(r.drain.dispatcherHeap.totalBytes)}, ${megabytes(r.drain.dispatcherHeap.usedBytes)} used`,
    ]);
  for (const [name, e] of [
    ['Hookline end to end', r.e2e],
    ['bare end to end', r.bareE2e],
  ] as const) {
    if (e)
      context.push([
        name,
        `${int(e.sent)} sent at ${int(e.achievedRate)}/s of ${int(e.rate)}/s asked, ${int(e.accepted)} accepted, ${int(e.received)} received` +
          `${e.duplicates > 0 ? `, ${int(e.duplicates)} duplicates` : ''}; p99.9 ${ms(e.latencyMs.p999)}; publish request p99 ${ms(e.publishLatencyMs.p99)}`,
      ]);
  }
  if (r.fairness) {
    const f = r.fairness;
    for (const [name, t] of [
      ['fairness: B alone', f.alone],
      ["fairness: B during A's flood", f.duringFlood],
    ] as const)
      context.push([
        name,
        `${int(t.sent)} sent at ${int(t.rate)}/s, ${int(t.accepted)} accepted, ${int(t.received)} received` +
          `${t.duplicates > 0 ? `, ${int(t.duplicates)} duplicates` : ''}; p50 ${ms(t.latencyMs.p50)}, p99 ${ms(t.latencyMs.p99)}, max ${ms(t.latencyMs.max)}`,
      ]);
    for (const [name, d] of [
      ["fairness: A's flood alone", f.floodAlone],
      ["fairness: A's flood with B", f.flood],
    ] as const)
      context.push([
        name,
        `${int(d.count)} published in ${ms(d.publishMs)}; start-up ${ms(d.startupMs)}, first → last ${int(d.firstToLast.perSecond)}/s` +
          `${d.duplicates > 0 ? `, ${int(d.duplicates)} duplicates` : ''}` +
          (d.attemptMs === null
            ? ''
            : `; the dispatcher's attempts ${d.attemptMs.toFixed(1)} ms on average`),
      ]);
  }
  if (r.fanout)
    context.push([
      'Hookline fan-out',
      `one event to ${int(r.fanout.endpoints)} endpoints in ${ms(r.fanout.ms)} (${int(r.fanout.perSecond)} deliveries/s; the publish ${ms(r.fanout.publishMs)})`,
    ]);
  if (r.drainTraced) context.push(['tracing on, drain', tracingLine(r.drainTraced.tracing)]);
  if (r.publishTraced) context.push(['tracing on, publish', tracingLine(r.publishTraced.tracing)]);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  if (r.redisMemory)
    context.push([
      'Redis memory, settled and logged',
      `${mb(r.redisMemory.beforeBytes)} before, ${mb(r.redisMemory.afterBytes)} after ${int(r.redisMemory.deliveries)} deliveries; ` +
        `logged and forgotten ${ms(r.redisMemory.settleMs)} after the last receipt`,
    ]);
  if (r.logLag)
    context.push([
      'log lag (change → listed)',
      `${int(r.logLag.seen)} of ${int(r.logLag.probes)} probes seen listed delivered, the list read every ${r.logLag.pollMs} ms; ` +
        `p50 ${ms(r.logLag.lagMs.p50)}, max ${ms(r.logLag.lagMs.max)}`,
    ]);
  if (r.logList)
    context.push([
      'filtered list',
      `${int(r.logList.requests)} lists, ${r.logList.endpoints} endpoints × 4 statuses, ${int(r.logList.errors)} errors; ` +
        `p50 ${ms(r.logList.latencyMs.p50)}, max ${ms(r.logList.latencyMs.max)}` +
        (r.logList.seedMs === null ? '' : `; seeding the log took ${ms(r.logList.seedMs)}`),
    ]);
  const dupes = [r.drain, r.bareWorker].filter((d) => d && d.duplicates > 0);
  if (dupes.length > 0)
    context.push(['drain duplicates', dupes.map((d) => int(d!.duplicates)).join(' / ')]);

  const cluster = renderCluster(report, cell);

  const commands = report.redisCommands;
  const perDelivery = (x: { perDelivery: number } | null) => (x ? x.perDelivery.toFixed(2) : '');
  const usPer = (x: { usPerDelivery: number } | null) => (x ? x.usPerDelivery.toFixed(1) : '');
  const commandTable =
    commands.length > 0
      ? [
          'Redis commands per delivery in the drain (INFO commandstats: calls, and Redis µs per delivery; Redis 7 lists',
          'the commands scripts run as well as the EVALSHA, whose time includes theirs):',
          '',
          renderTable(
            ['command', 'Hookline', 'bare worker', 'Hookline µs', 'bare worker µs'],
            [
              ...commands.map((c) => [
                c.command,
                perDelivery(c.hookline),
                perDelivery(c.reference),
                usPer(c.hookline),
                usPer(c.reference),
              ]),
              [
                'all',
                r.drain ? r.drain.redis.commandsPerDelivery.toFixed(2) : '',
                r.bareWorker ? r.bareWorker.redis.commandsPerDelivery.toFixed(2) : '',
                // A script's time includes the commands it runs, listed too: no sum of this column.
                '',
                '',
              ],
            ],
          ),
          '',
        ]
      : [];

  const title = `Hookline benchmark — ${run.quick ? 'QUICK run (--quick: figures indicative only)' : 'full run'}${withRounds ? `, ${run.rounds} rounds` : ''}, ${run.startedAt}`;
  const footer = [
    `One run, one process tree: the same redis-server ${run.redis} (no persistence) and the same receiver process for every case.`,
    `Node ${run.node} · ${run.cpus} CPUs (${run.cpuModel}) · load average ${run.loadAverage.start.toFixed(2)} at start, ${run.loadAverage.end.toFixed(2)} at end` +
      ` · ${(run.durationMs / 1000).toFixed(0)} s${run.commit ? ` · commit ${run.commit}` : ''}`,
    'The machine may be shared: absolute figures are noisy, the ratios within one run are the point.',
    ...(run.profile
      ? [
          '--profile: the dispatcher and the producer ran under the CPU profiler, a little slower than without.',
        ]
      : []),
  ];
  const failureLines =
    failures.length > 0
      ? [
          'Failed:',
          ...failures.map((f) => `  ${f.case}: ${f.message.split('\n')[0]!.slice(0, 200)}`),
          '',
        ]
      : [];
  return [
    title,
    '',
    // Only the cluster drains run (--only): no Hookline-against-reference figure to show.
    ...(rows.length > 0 ? [table, '', ...legend, ''] : []),
    ...(context.length > 0 ? [renderTable(['context', ''], context), ''] : []),
    ...commandTable,
    ...cluster,
    ...failureLines,
    ...footer,
  ].join('\n');
}

/** What a traced case exported, so a reader sees that tracing ran, and at what volume. */
export function tracingLine(t: TracingFigures): string {
  const { sent, sink } = t;
  const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;
  return (
    `${int(sent.spans)} spans from ${t.service} = ${t.spansPerUnit.toFixed(2)} per ${t.per} (${int(t.units)}), ` +
    `in ${int(sent.requests)} exports of ${kb(sent.bytes / Math.max(1, sent.requests))} (${int(sent.bytes / Math.max(1, sent.spans))} bytes a span); ` +
    `the sink: ${int(sink.spans)} spans in ${int(sink.requests)} exports from every service, ${(sink.bytes / 1e6).toFixed(1)} MB` +
    `${sink.refused > 0 ? `, ${int(sink.refused)} refused` : ''}` +
    `${t.sinkCpuMs === null ? '' : `, ${int(t.sinkCpuMs)} ms of its CPU`}`
  );
}

/** "0-5460". */
function slotText([first, last]: readonly [number, number]): string {
  return `${first}-${last}`;
}

/** Each master of both cluster drains: its slots, its shards, its deliveries and its cost. */
export function clusterMasterRows(
  drains: readonly (ClusterDrainFigures | undefined)[],
): string[][] {
  const rows: string[][] = [];
  for (const d of drains) {
    if (!d) continue;
    d.perMaster.forEach((m, i) => {
      rows.push([
        i === 0 ? `${d.masters} master${d.masters === 1 ? '' : 's'}` : '',
        `:${m.port}`,
        slotText(m.slots),
        `${m.shards.length}${m.catalog ? ' + catalog' : ''}`,
        m.deliveries === null ? '–' : `${int(m.deliveries)} (${percent(m.deliveries / d.count)})`,
        m.redis.cpuUsPerDelivery.toFixed(1),
        m.redis.commandsPerDelivery.toFixed(2),
      ]);
    });
    if (d.perMaster.length > 1)
      rows.push([
        '',
        'all',
        '',
        String(d.shards),
        int(d.count),
        d.redis.cpuUsPerDelivery.toFixed(1),
        d.redis.commandsPerDelivery.toFixed(2),
      ]);
  }
  return rows;
}

/** The Redis Cluster drains: 1 master and 3 side by side, then each master; [] if neither ran. */
function renderCluster(
  report: Report,
  cell: (n: number | null, unit: Unit, id: CaseId | null) => string,
): string[] {
  const { clusterDrain1: one, clusterDrain3: three } = report.results;
  const failed = report.failures.some((f) => f.case.startsWith('cluster-drain'));
  if (!one && !three && !failed) return [];
  const rows = report.clusterComparisons.map((c) => [
    c.figure,
    cell(c.reference, c.unit, c.cases.reference),
    cell(c.hookline, c.unit, c.cases.hookline),
    ratio(c.ratio),
    targetText(c.target, c.unit),
    verdict(c),
  ]);
  const any = three ?? one;
  const layoutNote = three
    ? [
        `Hash tags (read back from each master's keys): ${three.shards} shards ${shardSpread(three.perMaster)} over the 3 masters;` +
          ` the backlog was published ${three.batchSize} events per request, each request to one shard.`,
      ]
    : [];
  return [
    `Redis Cluster drain: one dispatcher, REDIS_CLUSTER=true, HOOKLINE_SHARDS=${any?.shards ?? ''}, a cluster of the bench's own per case`,
    `(no replicas, no persistence). The same ${report.run.cpus} CPUs serve every master: deliveries/s is shown, not judged.`,
    '',
    renderTable(['figure', '1 master', '3 masters', '3 vs 1', 'target', ''], rows),
    '',
    'Each master (INFO cpu and commandstats deltas over the drain, divided by every delivery of the drain):',
    '',
    renderTable(
      [
        'cluster',
        'master',
        'slots',
        'shards',
        'deliveries in its shards',
        'Redis CPU µs/delivery',
        'commands/delivery',
      ],
      clusterMasterRows([one, three]),
    ),
    '',
    ...layoutNote,
    '',
  ];
}

function renderOneProfile(title: string, profile: ProfileRef): string {
  const { summary } = profile;
  return [
    `${title} (${path.basename(profile.file)}): ${int(summary.busyMs)} ms busy, ${int(summary.idleMs)} ms idle`,
    '',
    renderTable(
      ['self time by area', 'ms', '%'],
      summary.areas.slice(0, 10).map((a) => [a.name, int(a.ms), a.percent.toFixed(1)]),
    ),
    '',
    renderTable(
      ['self time by function', 'ms', '%'],
      summary.functions.map((f) => [
        f.name.length > 90 ? `${f.name.slice(0, 89)}…` : f.name,
        int(f.ms),
        f.percent.toFixed(1),
      ]),
    ),
  ].join('\n');
}

/** The CPU profiles taken with `--profile`, as text for the terminal. */
export function renderProfiles(results: Results): string | undefined {
  const profiles = results.profiles ?? {};
  const titled: [string, ProfileRef | undefined][] = [
    ['Dispatcher CPU profile, drain (first delivery → last)', profiles.dispatcherDrain],
    [
      'Dispatcher CPU profile, drain to RabbitMQ (first delivery → last)',
      profiles.dispatcherDrainRabbitmq,
    ],
    ['Producer CPU profile, single publishes', profiles.producerSingle],
    ['Producer CPU profile, batch publishes', profiles.producerBatch],
    ['Dispatcher CPU profile, drain with tracing on', profiles.dispatcherDrainTraced],
    ['Producer CPU profile, single publishes with tracing on', profiles.producerSingleTraced],
    ['Producer CPU profile, batch publishes with tracing on', profiles.producerBatchTraced],
  ];
  const parts = titled.flatMap(([title, profile]) =>
    profile ? [renderOneProfile(title, profile)] : [],
  );
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

/** Writes `<stem>.json` (and `<stem>.svg`) under `dir`, plus `latest.*` copies; returns the paths. */
export function writeReport(dir: string, report: Report, svg: string | undefined): string[] {
  mkdirSync(dir, { recursive: true });
  const stem = `bench-${report.run.startedAt.replace(/[:.]/g, '-')}${report.run.quick ? '-quick' : ''}`;
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const written = [path.join(dir, `${stem}.json`)];
  writeFileSync(written[0]!, json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  if (svg) {
    written.push(path.join(dir, `${stem}.svg`));
    writeFileSync(written[1]!, svg);
    writeFileSync(path.join(dir, 'latest.svg'), svg);
  }
  return written;
}
