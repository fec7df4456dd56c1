// `npm run bench`: every case in one run, against one redis-server and one receiver process that
// the bench starts and stops itself. Orchestration only: the cases are in cases/.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { BareLauncher } from './bare-launcher';
import type { CaseContext } from './case';
import { renderChart } from './chart';
import { CASES } from './cases';
import { Cleanup } from './cleanup';
import { HooklineLauncher } from './hookline';
import { LogDatabases } from './log-database';
import { Progress } from './progress';
import { ReceiverClient } from './receiver-client';
import { startRedisServer } from './redis-server';
import { buildReport, renderProfiles, renderReport, writeReport } from './report';
import type { CaseFailure, CaseId, Results } from './results';
import { ROUND_CASES, ROUNDS, roundSchedule } from './rounds';
import { FULL, QUICK } from './sizes';

const USAGE = `npm run bench [-- options]

  --quick          smaller cases, a minute or two in all (while optimising; CI smoke)
  --only a,b       run only these cases: ${CASES.map((c) => c.id).join(', ')}
                   (a figure and its reference: e.g. --only bare-worker,drain; tracing's cost:
                   --only drain,drain-traced,publish,publish-traced; ordered endpoints:
                   --only drain,drain-ordered,drain-ordered-one-key; to RabbitMQ:
                   --only bare-amqp-publisher,drain-rabbitmq; the Redis Cluster drains,
                   1 master beside 3: --only cluster-drain-1,cluster-drain-3; tenant
                   fairness, the front lane: --only fairness)
  --rounds N       run each Hookline case and its reference N times, alternating, and judge
                   the median round (default ${ROUNDS.full}, ${ROUNDS.quick} with --quick)
  --profile        CPU-profile the dispatcher in the drains and the producer in the publish cases
                   (node --cpu-prof, files in bench/results/profiles/); print their top self-time
                   functions over the drain's first to last delivery, the batch and the single publishes
  --help           this text

Results: a table on stdout, JSON (and an SVG chart) under bench/results/.`;

interface Options {
  quick: boolean;
  profile: boolean;
  only: Set<CaseId> | undefined;
  rounds: number | undefined;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  const options: Options = { quick: false, profile: false, only: undefined, rounds: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      const ids = (list ?? '').split(',').filter(Boolean);
      const unknown = ids.filter((id) => !CASES.some((c) => c.id === id));
      if (ids.length === 0 || unknown.length > 0)
        throw new Error(`--only: unknown case ${unknown.join(', ') || '(none given)'}`);
      options.only = new Set(ids as CaseId[]);
    } else if (arg === '--rounds' || arg.startsWith('--rounds=')) {
      const n = Number(arg === '--rounds' ? argv[++i] : arg.slice('--rounds='.length));
      if (!Number.isInteger(n) || n < 1 || n > 9)
        throw new Error('--rounds: a whole number from 1 to 9');
      options.rounds = n;
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  return options;
}

function gitCommit(root: string): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return `${commit}${dirty ? '+changes' : ''}`;
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const root = path.resolve(__dirname, '..', '..');
  const resultsDir = path.join(root, 'bench', 'results');
  const cases = CASES.filter((c) => !options.only || options.only.has(c.id));
  const sizes = options.quick ? QUICK : FULL;
  const rounds = options.rounds ?? (options.quick ? ROUNDS.quick : ROUNDS.full);
  const schedule = roundSchedule(cases, rounds);
  const progress = new Progress(schedule.length);
  const cleanup = new Cleanup();

  // Ctrl-C, kill, or a crash anywhere: stop everything the bench started, Redis last.
  let stopping = false;
  const abort = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    progress.clear();
    process.stderr.write(`bench: ${why}; stopping what it started\n`);
    void cleanup.runAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => abort('interrupted', 130));
  process.on('SIGTERM', () => abort('terminated', 143));
  process.on('uncaughtException', (error) => abort(`crashed: ${error.stack ?? error.message}`, 1));
  process.on('unhandledRejection', (error) =>
    abort(`crashed: ${String((error as Error | undefined)?.stack ?? error)}`, 1),
  );

  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  // Each round's results; the cases run once (ceilings, fan-out, clusters) are in the first.
  const roundResults: Results[] = Array.from({ length: rounds }, () => ({}));
  const failures: CaseFailure[] = [];
  try {
    const redis = await startRedisServer();
    cleanup.add('redis-server', () => redis.stop());
    const receiver = await ReceiverClient.start();
    cleanup.add('receiver', () => receiver.stop());
    const logs = new LogDatabases();
    cleanup.add('log databases', () => logs.drop({ all: true }));
    const hookline = new HooklineLauncher(root, redis.url, cleanup, logs);
    const bare = new BareLauncher(redis.url, cleanup);
    const missing = hookline.missing() ?? (await logs.unavailable());
    const profileDir = options.profile ? path.join(resultsDir, 'profiles') : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });

    for (const [index, { round, c: benchCase }] of schedule.entries()) {
      const results = roundResults[round]!;
      progress.startCase(
        index,
        rounds > 1 && ROUND_CASES.has(benchCase.id)
          ? `${benchCase.title} (round ${round + 1} of ${rounds})`
          : benchCase.title,
      );
      const unmet = benchCase.unmet?.();
      if (unmet) {
        if (round === 0 && options.only) failures.push({ case: benchCase.id, message: unmet });
        continue;
      }
      if (benchCase.hookline && missing) {
        if (round === 0) failures.push({ case: benchCase.id, message: missing });
        progress.note(`bench: ${benchCase.title} skipped: ${missing}`);
        continue;
      }
      const context: CaseContext = {
        sizes,
        redis,
        receiver,
        hookline,
        bare,
        cleanup,
        profileDir,
        progress: (fraction, detail) => progress.update(fraction, detail),
        note: (line) => progress.note(line),
      };
      try {
        const { profiles, ...measured } = await benchCase.run(context);
        Object.assign(results, measured);
        if (profiles) results.profiles = { ...results.profiles, ...profiles };
      } catch (error) {
        const message = `${rounds > 1 ? `round ${round + 1}: ` : ''}${(error as Error).message}`;
        failures.push({ case: benchCase.id, message });
        progress.note(`bench: ${benchCase.title} failed: ${message}`);
      } finally {
        // Every case starts on an empty Redis and an empty log: no backlog or retained keys from
        // the one before (a log kept for the later rounds aside).
        await redis.flushAll();
        await logs.drop();
      }
    }
    progress.clear();

    const report = buildReport(
      {
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
        quick: options.quick,
        profile: options.profile,
        node: process.version,
        redis: redis.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
        commit: gitCommit(root),
        sizes,
        rounds,
      },
      roundResults,
      failures,
    );
    process.stdout.write(`\n${renderReport(report)}\n`);
    const profile = renderProfiles(report.results);
    if (profile) process.stdout.write(`\n${profile}\n`);
    const written = writeReport(resultsDir, report, renderChart(report));
    process.stdout.write(
      `\nWritten: ${written.map((file) => path.relative(process.cwd(), file)).join(', ')}\n`,
    );
    return failures.length > 0 ? 1 : 0;
  } finally {
    progress.clear();
    if (!stopping) await cleanup.runAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
