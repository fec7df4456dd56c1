import type { BenchCase } from './case';
import type { Comparison } from './comparisons';
import type { CaseId } from './results';

/**
 * The cases whose figures are judged. A full run repeats them in rounds, each round the reference
 * and then Hookline, so the rounds alternate: a neighbour that loads the shared machine for a
 * minute slows one round of both, not all of one side. A traced case is set against the untraced
 * one just before it in the same round, the same way. The fairness case measures both sides of
 * its ratios itself, in the one round. The log's figures (Redis memory, log lag,
 * the filtered list) have no reference, and are judged on their median round the same way.
 */
export const ROUND_CASES: ReadonlySet<CaseId> = new Set<CaseId>([
  'bare-worker',
  'drain-baseline',
  'drain',
  'drain-traced',
  'drain-ordered',
  'drain-ordered-one-key',
  'bare-amqp-publisher',
  'drain-rabbitmq',
  'bare-publish',
  'publish',
  'publish-traced',
  'bare-e2e',
  'e2e',
  'fairness',
  'redis-memory',
  'log-lag',
  'log-list',
]);

/**
 * The order a run takes: the first round runs every case; later ones only the round cases, each
 * round in the cases' own order.
 */
export function roundSchedule<C extends Pick<BenchCase, 'id'>>(
  cases: readonly C[],
  rounds: number,
): { round: number; c: C }[] {
  return Array.from({ length: rounds }, (_, round) =>
    cases.filter((c) => round === 0 || ROUND_CASES.has(c.id)).map((c) => ({ round, c })),
  ).flat();
}

/** Rounds of the paired cases in a full run and in a `--quick` one. */
export const ROUNDS = { full: 3, quick: 1 } as const;

/** What a row is ordered by across rounds: its value for an absolute target, else its ratio. */
function keyOf(c: Comparison): number | null {
  return c.target?.kind === 'at most' ? c.hookline : (c.ratio ?? c.hookline);
}

/**
 * One comparison table from the tables of several rounds (the same figures in the same order):
 * each row is the round whose figure is the median of that row's rounds, with every round's
 * ratio beside it. With an even number of rounds, the worse of the two middle ones.
 */
export function medianComparisons(rounds: readonly Comparison[][]): Comparison[] {
  const [first] = rounds;
  if (!first || rounds.length === 1) return first ?? [];
  return first.map((row, i) => {
    const all = rounds.map((round) => round[i]!);
    const measured = all.filter((c) => keyOf(c) !== null).sort((a, b) => keyOf(a)! - keyOf(b)!);
    if (measured.length === 0) return { ...row, roundRatios: all.map((c) => c.ratio) };
    const middle = (measured.length - 1) / 2;
    const pick = measured[row.higherIsBetter ? Math.floor(middle) : Math.ceil(middle)]!;
    return { ...pick, roundRatios: all.map((c) => c.ratio) };
  });
}
