import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProfileRef } from './cpu-profile';
import { int, megabytes, ms, percent, ratio, renderTable } from './format';
import type { RedisUsage } from './redis-usage';
import type { CaseFailure, CaseId, Results } from './results';
import type { Sizes } from './sizes';
import { compositeCeiling } from './stats';

export interface RunInfo {
  startedAt: string;
  durationMs: number;
  quick: boolean;
  node: string;
  redis: string;
  cpus: number;
  cpuModel: string;
  /** 1-minute load average at the start and the end: the machine is shared, this says how busy. */
  loadAverage: { start: number; end: number };
  commit: string | null;
  sizes: Sizes;
}

export interface Target {
  what: string;
  /** The same, as the table's target column says it. */
  short: string;
  /** null: not measured (its case failed or did not run). */
  met: boolean | null;
}

/** Ratios of each Hookline throughput figure to the peer and to the composite ceiling. */
export interface Comparison {
  figure: string;
  perSecond: number;
  vsPeer: number | null;
  vsCeiling: number | null;
}

export interface Report {
  run: RunInfo;
  results: Results;
  compositeCeiling: number | null;
  comparisons: Comparison[];
  targets: Target[];
  failures: CaseFailure[];
}

const DISPATCHER_RSS_LIMIT = 200e6;

export function buildReport(run: RunInfo, results: Results, failures: CaseFailure[]): Report {
  const { signedPost, bullmqNoop, peer, drain, publish, e2e, fanout, memory } = results;
  const ceiling =
    signedPost && bullmqNoop ? compositeCeiling(signedPost.perSecond, bullmqNoop.perSecond) : null;
  const compare = (
    figure: string,
    perSecond: number | undefined,
    peerPerSecond = peer?.perSecond,
  ): Comparison[] =>
    perSecond === undefined
      ? []
      : [
          {
            figure,
            perSecond,
            vsPeer: peerPerSecond ? perSecond / peerPerSecond : null,
            vsCeiling: ceiling ? perSecond / ceiling : null,
          },
        ];
  const comparisons = [
    ...compare('drain', drain?.perSecond),
    // Process start excluded on both sides: Hookline's first → last against the peer's.
    ...compare('drain first → last', drain?.firstToLast.perSecond, peer?.firstToLast.perSecond),
    ...compare('batch publish', publish?.batch.perSecond),
    ...compare('single publish', publish?.single.perSecond),
    ...compare('fan-out', fanout?.perSecond),
  ];
  const drainVs = comparisons[0]?.figure === 'drain' ? comparisons[0] : undefined;
  const known = (value: number | null | undefined, test: (v: number) => boolean) =>
    value === null || value === undefined ? null : test(value);
  const targets: Target[] = [
    { what: 'drain ≥ 2× peer', short: '≥ 2× peer', met: known(drainVs?.vsPeer, (v) => v >= 2) },
    {
      what: 'drain ≥ 80% of composite ceiling',
      short: '≥ 80% of ceiling',
      met: known(drainVs?.vsCeiling, (v) => v >= 0.8),
    },
    {
      what: 'batch publish ≥ 20,000 events/s',
      short: '≥ 20,000/s',
      met: known(publish?.batch.perSecond, (v) => v >= 20_000),
    },
    {
      what: 'end-to-end p99 ≤ 20 ms at 1,000 events/s (every event received, the rate held)',
      short: 'p99 ≤ 20 ms at 1,000/s',
      met: known(
        e2e?.latencyMs.p99,
        (v) => v <= 20 && e2e!.received === e2e!.sent && e2e!.achievedRate >= 0.95 * e2e!.rate,
      ),
    },
    {
      what: 'dispatcher peak RSS ≤ 200 MB',
      short: 'dispatcher ≤ 200 MB',
      met: known(memory?.dispatcherPeakRssBytes, (v) => v <= DISPATCHER_RSS_LIMIT),
    },
  ];
  return { run, results, compositeCeiling: ceiling, comparisons, targets, failures };
}

function verdict(target: Target | undefined): string {
  if (!target || target.met === null) return '';
  return `${target.short}: ${target.met ? 'met' : 'NOT met'}`;
}

type Heap = NonNullable<Results['memory']>['dispatcherHeap'];
const heap = (h: Heap) =>
  h && h.totalBytes !== null && h.usedBytes !== null
    ? ` (V8 heap ${megabytes(h.totalBytes)}, ${megabytes(h.usedBytes)} used, at the end)`
    : '';
const duplicates = (n: number) => (n > 0 ? ` · ${int(n)} duplicates` : '');

/** The printed table. */
export function renderReport(report: Report): string {
  const { results: r, run, targets, failures } = report;
  const byFigure = new Map(report.comparisons.map((c) => [c.figure, c]));
  const vs = (figure: string) => [
    ratio(byFigure.get(figure)?.vsPeer ?? null),
    percent(byFigure.get(figure)?.vsCeiling ?? null),
  ];
  const failed = (id: CaseId) => failures.find((f) => f.case === id);
  const rows: string[][] = [];
  const row = (id: CaseId | null, name: string, cells: () => string[]) => {
    const failure = id ? failed(id) : undefined;
    if (failure)
      rows.push([name, `failed: ${failure.message.split('\n')[0]!.slice(0, 90)}`, '', '', '']);
    else rows.push([name, ...cells()]);
  };

  if (r.signedPost || failed('signed-post'))
    row('signed-post', 'ceiling: signed POST', () => [
      `${int(r.signedPost!.perSecond)} req/s (${r.signedPost!.inFlight} in flight)`,
      '',
      '',
      '',
    ]);
  if (r.bullmqNoop || failed('bullmq-noop'))
    row('bullmq-noop', 'ceiling: BullMQ no-op', () => [
      `${int(r.bullmqNoop!.perSecond)} jobs/s (concurrency ${r.bullmqNoop!.concurrency})`,
      '',
      '',
      '',
    ]);
  if (report.compositeCeiling !== null)
    row(null, 'ceiling: composite', () => [
      `${int(report.compositeCeiling!)} deliveries/s  = 1/(1/post + 1/no-op)`,
      '',
      '',
      '',
    ]);
  if (r.peer || failed('peer'))
    row('peer', 'peer: BullMQ + got', () => [
      `${int(r.peer!.perSecond)} deliveries/s (first → last ${int(r.peer!.firstToLast.perSecond)}/s)${duplicates(r.peer!.duplicates)}`,
      '',
      '',
      '',
    ]);
  if (r.drain || failed('drain')) {
    row('drain', 'Hookline drain', () => [
      `${int(r.drain!.perSecond)} deliveries/s (spawn → last)${duplicates(r.drain!.duplicates)}`,
      ...vs('drain'),
      [verdict(targets[0]), verdict(targets[1])].filter(Boolean).join(' · '),
    ]);
    if (r.drain)
      rows.push([
        '  first → last',
        `${int(r.drain.firstToLast.perSecond)} deliveries/s (start-up ${int(r.drain.startupMs)} ms left out)`,
        ...vs('drain first → last'),
        '',
      ]);
  }
  if (r.publish || failed('publish')) {
    row('publish', 'Hookline batch publish', () => [
      `${int(r.publish!.batch.perSecond)} events/s (${r.publish!.batch.batches} × ${int(r.publish!.batch.batchSize)}, ${r.publish!.batch.concurrency} at once)`,
      ...vs('batch publish'),
      verdict(targets[2]),
    ]);
    if (r.publish) {
      const s = r.publish.single;
      rows.push([
        'Hookline single publish',
        `${int(s.perSecond)} req/s · p50 ${ms(s.latencyMs.p50)} · p99 ${ms(s.latencyMs.p99)} (${s.concurrency} clients)`,
        ...vs('single publish'),
        '',
      ]);
    }
  }
  if (r.e2e || failed('e2e'))
    row('e2e', 'Hookline end to end', () => {
      const e = r.e2e!;
      const lost = e.received < e.sent ? ` · ${int(e.sent - e.received)} NOT received` : '';
      const held =
        e.achievedRate >= 0.95 * e.rate ? '' : `, only ${int(e.achievedRate)}/s published`;
      return [
        `p50 ${ms(e.latencyMs.p50)} · p99 ${ms(e.latencyMs.p99)} · p99.9 ${ms(e.latencyMs.p999)} (${int(e.rate)}/s × ${e.seconds} s${held})${lost}`,
        '',
        '',
        verdict(targets[3]),
      ];
    });
  if (r.fanout || failed('fanout'))
    row('fanout', 'Hookline fan-out', () => [
      `${int(r.fanout!.endpoints)} endpoints in ${ms(r.fanout!.ms)} (${int(r.fanout!.perSecond)} deliveries/s)`,
      ...vs('fan-out'),
      '',
    ]);
  if (r.memory || failed('drain'))
    row('drain', 'Hookline memory', () => [
      `peak RSS in the drain: dispatcher ${megabytes(r.memory!.dispatcherPeakRssBytes)}${heap(r.memory!.dispatcherHeap)} · producer ${megabytes(r.memory!.producerPeakRssBytes)}`,
      '',
      '',
      verdict(targets[4]),
    ]);

  const usages: [string, RedisUsage | undefined, number | null | undefined][] = [
    ['peer (its process)', r.peer?.redis, r.peer?.cpuMsPerDelivery],
    ['Hookline drain (dispatcher)', r.drain?.redis, r.drain?.cpuMsPerDelivery],
  ];
  const cpu = (value: number | null | undefined) =>
    typeof value === 'number' ? `${value.toFixed(2)} ms CPU; ` : '';
  const costLines = usages.flatMap(([name, usage, cpuMs]) =>
    usage
      ? [
          `  ${name}: ${cpu(cpuMs)}Redis: ${int(usage.cpuUsPerDelivery)} µs CPU, ${usage.scriptsPerDelivery} scripts, ${usage.commandsPerDelivery} commands in all` +
            ` (most: ${usage.top
              .slice(0, 4)
              .map((t) => `${t.command} ${t.perDelivery}`)
              .join(', ')})`,
        ]
      : [],
  );
  const title = `Hookline benchmark — ${run.quick ? 'QUICK run (--quick: ~1/10 size, figures indicative only)' : 'full run'}, ${run.startedAt}`;
  const table = renderTable(['case', 'result', 'vs peer', 'vs ceiling', 'target'], rows);
  const footer = [
    `One run, one process tree: the same redis-server ${run.redis} (no persistence) and the same receiver process for every case.`,
    `Node ${run.node} · ${run.cpus} CPUs (${run.cpuModel}) · load average ${run.loadAverage.start.toFixed(2)} at start, ${run.loadAverage.end.toFixed(2)} at end` +
      ` · ${(run.durationMs / 1000).toFixed(0)} s${run.commit ? ` · commit ${run.commit}` : ''}`,
    'The machine may be shared: absolute figures are noisy, the ratios within one run are the point.',
  ];
  const costs =
    costLines.length > 0
      ? [
          'Cost per delivery (CPU time: steadier than throughput on a busy machine):',
          ...costLines,
          '',
        ]
      : [];
  return [title, '', table, '', ...costs, ...footer].join('\n');
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
  const { dispatcherDrain, producerPublish } = results.profiles ?? {};
  const parts = [
    ...(dispatcherDrain
      ? [renderOneProfile('Dispatcher CPU profile, drain', dispatcherDrain)]
      : []),
    ...(producerPublish
      ? [renderOneProfile('Producer CPU profile, publish case', producerPublish)]
      : []),
  ];
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
