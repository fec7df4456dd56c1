import { summarizeProfile, type CpuProfile } from './cpu-profile';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9 });

describe('summarizeProfile', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(idle)') },
      { id: 2, callFrame: frame('processDeliver', 'file:///repo/apps/dispatcher/dist/deliver.js') },
      { id: 3, callFrame: frame('exec', 'file:///repo/node_modules/ioredis/built/Pipeline.js') },
      { id: 4, callFrame: frame('writeUtf8String') },
    ],
    startTime: 1_000_000,
    samples: [1, 2, 3, 3, 4],
    timeDeltas: [5_000, 1_000, 2_000, 2_000, 5_000],
  };

  it('gives each sample its interval, leaves idle time out of the shares, and names frames by package', () => {
    const summary = summarizeProfile(profile);
    expect(summary.busyMs).toBe(10);
    expect(summary.idleMs).toBe(5);
    expect(summary.functions[0]).toEqual({ name: 'writeUtf8String', ms: 5, percent: 50 });
    expect(summary.functions).toContainEqual({
      name: 'exec ioredis/…/Pipeline.js:10',
      ms: 4,
      percent: 40,
    });
    expect(summary.areas.map((a) => a.name)).toEqual(['(native)', 'ioredis', 'apps/dispatcher']);
  });

  it('counts only the samples taken inside a window', () => {
    // Sample times: 1,005,000 (idle), 1,006,000, 1,008,000, 1,010,000, 1,015,000.
    const summary = summarizeProfile(profile, { window: { fromUs: 1_007_000, toUs: 1_010_000 } });
    expect(summary.busyMs).toBe(4);
    expect(summary.idleMs).toBe(0);
    expect(summary.areas.map((a) => a.name)).toEqual(['ioredis']);
  });
});
