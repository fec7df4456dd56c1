import { RecentlyHealthy } from './recently-healthy';

describe('RecentlyHealthy', () => {
  test('a success is counted once per ttl while nothing fails', () => {
    const healthy = new RecentlyHealthy(5_000);
    expect(healthy.mustCountSuccess('ep_a', 1_000)).toBe(true);
    healthy.counted('ep_a', 'success', 1_000);
    expect(healthy.mustCountSuccess('ep_a', 1_001)).toBe(false);
    expect(healthy.mustCountSuccess('ep_a', 5_999)).toBe(false);
    expect(healthy.mustCountSuccess('ep_a', 6_000)).toBe(true);
    expect(healthy.mustCountSuccess('ep_b', 1_001)).toBe(true);
  });

  test('after a failure the next success is counted at once', () => {
    const healthy = new RecentlyHealthy(5_000);
    healthy.counted('ep_a', 'success', 1_000);
    healthy.counted('ep_a', 'failure', 1_500);
    expect(healthy.mustCountSuccess('ep_a', 1_600)).toBe(true);
  });

  test('holds at most maxEntries endpoints, forgetting the oldest count first', () => {
    const healthy = new RecentlyHealthy(5_000, 2);
    healthy.counted('ep_a', 'success', 1_000);
    healthy.counted('ep_b', 'success', 1_000);
    healthy.counted('ep_a', 'success', 1_100);
    healthy.counted('ep_c', 'success', 1_200);
    expect(healthy.mustCountSuccess('ep_b', 1_300)).toBe(true);
    expect(healthy.mustCountSuccess('ep_a', 1_300)).toBe(false);
    expect(healthy.mustCountSuccess('ep_c', 1_300)).toBe(false);
  });
});
