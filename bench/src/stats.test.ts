import { compositeCeiling, percentile, perSecond, summarize } from './stats';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the nearest rank: p50 of 1..100 is 50, p99 is 99, p100 is 100', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('gives the largest value for p99.9 of fewer than 1,000 values', () => {
    expect(percentile(hundred, 99.9)).toBe(100);
  });

  it('gives the smallest value for p0 and NaN for no values', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts before ranking, so the order values arrive in does not matter', () => {
    const summary = summarize([5, 1, 4, 2, 3]);
    expect(summary).toMatchObject({ count: 5, min: 1, p50: 3, max: 5, mean: 3 });
  });
});

describe('throughput', () => {
  it('counts per second from milliseconds', () => {
    expect(perSecond(20_000, 4_000)).toBe(5_000);
  });

  it('composes two stages paid one after the other: 1 / (1/a + 1/b)', () => {
    expect(compositeCeiling(10_000, 10_000)).toBe(5_000);
    expect(compositeCeiling(6_000, 3_000)).toBe(2_000);
  });
});
