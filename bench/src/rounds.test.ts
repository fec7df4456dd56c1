import type { Comparison, Target } from './comparisons';
import { CASES } from './cases';
import { medianComparisons, roundSchedule } from './rounds';

const row = (
  figure: string,
  hookline: number | null,
  reference: number | null,
  {
    higherIsBetter = true,
    target = null,
  }: { higherIsBetter?: boolean; target?: Target | null } = {},
): Comparison => {
  const ratio = hookline !== null && reference !== null ? hookline / reference : null;
  return {
    figure,
    unit: 'per second',
    higherIsBetter,
    hookline,
    reference,
    referenceName: 'bare worker',
    ratio,
    cases: { hookline: 'drain', reference: 'bare-worker' },
    target,
    met: ratio === null ? null : ratio >= 0.8,
  };
};

describe('medianComparisons', () => {
  it('takes each row from the round whose ratio is the median, with every round’s ratio', () => {
    const rounds = [[row('drain', 70, 100)], [row('drain', 90, 100)], [row('drain', 85, 100)]];
    const [drain] = medianComparisons(rounds);
    expect(drain).toMatchObject({ hookline: 85, reference: 100, met: true });
    expect(drain!.ratio).toBeCloseTo(0.85);
    expect(drain!.roundRatios).toEqual([0.7, 0.9, 0.85]);
  });

  it('judges each row on its own median round', () => {
    const rounds = [
      [row('drain', 90, 100), row('single', 50, 100)],
      [row('drain', 70, 100), row('single', 95, 100)],
      [row('drain', 80, 100), row('single', 92, 100)],
    ];
    const [drain, single] = medianComparisons(rounds);
    expect(drain!.hookline).toBe(80);
    expect(single!.hookline).toBe(92);
  });

  it('with an even number of rounds takes the worse middle one, for either direction', () => {
    const more = medianComparisons([[row('rate', 90, 100)], [row('rate', 70, 100)]]);
    expect(more[0]!.hookline).toBe(70);
    const cost = (h: number) => row('cpu', h, 100, { higherIsBetter: false });
    const less = medianComparisons([[cost(120)], [cost(160)]]);
    expect(less[0]!.hookline).toBe(160);
  });

  it('orders a row with an absolute target by its value, not its ratio', () => {
    const rss = (h: number, r: number) =>
      row('rss', h, r, { higherIsBetter: false, target: { kind: 'at most', value: 200 } });
    // Ratios 0.9, 1.2, 1.0; values 180, 240, 210: the median value is 210.
    const [median] = medianComparisons([[rss(180, 200)], [rss(240, 200)], [rss(210, 210)]]);
    expect(median!.hookline).toBe(210);
  });

  it('leaves out rounds in which a row was not measured, and keeps one round as it is', () => {
    const [partial] = medianComparisons([
      [row('drain', null, 100)],
      [row('drain', 80, 100)],
      [row('drain', 60, 100)],
    ]);
    expect(partial!.hookline).toBe(60);
    expect(partial!.roundRatios).toEqual([null, 0.8, 0.6]);
    const single = [row('drain', 80, 100)];
    expect(medianComparisons([single])).toBe(single);
  });
});

describe('roundSchedule', () => {
  it('runs each traced case right after its untraced twin, in every round', () => {
    const schedule = roundSchedule(CASES, 3);
    for (const round of [0, 1, 2]) {
      const ids = schedule.filter((s) => s.round === round).map((s) => s.c.id);
      expect(ids[ids.indexOf('drain') + 1]).toBe('drain-traced');
      expect(ids[ids.indexOf('publish') + 1]).toBe('publish-traced');
    }
  });

  it('runs the ordered drains in every round after the unordered drain they are set against', () => {
    const schedule = roundSchedule(CASES, 3);
    for (const round of [0, 1, 2]) {
      const ids = schedule.filter((s) => s.round === round).map((s) => s.c.id);
      expect(ids.indexOf('drain-ordered')).toBeGreaterThan(ids.indexOf('drain'));
      expect(ids).toContain('drain-ordered-one-key');
    }
  });

  it('runs the cases without a reference to alternate with only in the first round', () => {
    const ids = (round: number) =>
      roundSchedule(CASES, 2)
        .filter((s) => s.round === round)
        .map((s) => s.c.id);
    expect(ids(0)).toEqual(CASES.map((c) => c.id));
    expect(ids(1)).not.toContain('fanout');
    expect(ids(1)).not.toContain('signed-post');
    expect(ids(1)).toEqual(expect.arrayContaining(['drain', 'drain-traced', 'publish-traced']));
  });
});
