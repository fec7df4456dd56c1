import { buildReport, clusterMasterRows, renderReport, tracingLine } from './report';
import type { ClusterDrainFigures } from './results';
import { QUICK } from './sizes';
import { summarize } from './stats';

const usage = (commands: number, cpuUs: number) => ({
  scriptsPerDelivery: 1,
  commandsPerDelivery: commands,
  cpuUsPerDelivery: cpuUs,
  commands: [],
});

const drain = (
  masters: {
    port: number;
    slots: [number, number];
    shards: number[];
    catalog: boolean;
    deliveries: number | null;
    cpuUs: number;
    commands: number;
  }[],
): ClusterDrainFigures => ({
  count: 1_000,
  ms: 1_000,
  perSecond: 1_000,
  firstToLast: { count: 999, ms: 900, perSecond: 1_110 },
  startupMs: 100,
  duplicates: 0,
  publishMs: 500,
  redis: usage(
    masters.reduce((sum, m) => sum + m.commands, 0),
    masters.reduce((sum, m) => sum + m.cpuUs, 0),
  ),
  cpuMsPerDelivery: 0.5,
  peakRssBytes: null,
  publisherPeakRssBytes: null,
  masters: masters.length,
  shards: 12,
  batchSize: 10,
  queuePrefix: 'bench8',
  perMaster: masters.map((m) => ({ ...m, redis: usage(m.commands, m.cpuUs) })),
});

describe('clusterMasterRows', () => {
  it('gives each master its slots, shards, share of the deliveries and cost, and a sum under several', () => {
    const one = drain([
      {
        port: 7000,
        slots: [0, 16_383],
        shards: [0, 1],
        catalog: true,
        deliveries: 1_000,
        cpuUs: 150,
        commands: 39,
      },
    ]);
    const three = drain([
      {
        port: 7001,
        slots: [0, 5_460],
        shards: [0],
        catalog: false,
        deliveries: 340,
        cpuUs: 50,
        commands: 13,
      },
      {
        port: 7002,
        slots: [5_461, 10_922],
        shards: [1],
        catalog: true,
        deliveries: 330,
        cpuUs: 60.25,
        commands: 14,
      },
      {
        port: 7003,
        slots: [10_923, 16_383],
        shards: [],
        catalog: false,
        deliveries: null,
        cpuUs: 5,
        commands: 1,
      },
    ]);
    expect(clusterMasterRows([one, undefined, three])).toEqual([
      ['1 master', ':7000', '0-16383', '2 + catalog', '1,000 (100%)', '150.0', '39.00'],
      ['3 masters', ':7001', '0-5460', '1', '340 (34%)', '50.0', '13.00'],
      ['', ':7002', '5461-10922', '1 + catalog', '330 (33%)', '60.3', '14.00'],
      ['', ':7003', '10923-16383', '0', '–', '5.0', '1.00'],
      ['', 'all', '', '12', '1,000', '115.3', '28.00'],
    ]);
  });
});

describe('renderReport', () => {
  it('writes an absolute target in its figure’s unit', () => {
    const run = {
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1_000,
      quick: true,
      profile: false,
      node: 'v20',
      redis: '7',
      cpus: 2,
      cpuModel: 'test',
      loadAverage: { start: 0, end: 0 },
      commit: null,
      sizes: QUICK,
      rounds: 1,
    };
    const latencyMs = { ...summarize([5, 10]), p99: 12 };
    const text = renderReport(
      buildReport(
        run,
        [
          {
            logList: {
              deliveries: 100_000,
              endpoints: 20,
              requests: 200,
              errors: 0,
              seedMs: 8_000,
              latencyMs,
            },
          },
        ],
        [],
      ),
    );
    expect(text).toMatch(/filtered list on a log of 100,000: p99 +12\.0 ms .*≤ 50\.0 ms +PASS/);
  });
});

describe('renderReport for ordered endpoints', () => {
  it('judges the drain ordered by resource against the drain, and gives one line beside its round trip', () => {
    const run = {
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1_000,
      quick: true,
      profile: false,
      node: 'v20',
      redis: '7',
      cpus: 2,
      cpuModel: 'test',
      loadAverage: { start: 0, end: 0 },
      commit: null,
      sizes: QUICK,
      rounds: 1,
    };
    const hookline = (perSecond: number) => ({
      count: 5_000,
      ms: 1_000,
      perSecond,
      firstToLast: { count: 4_999, ms: 900, perSecond },
      startupMs: 100,
      duplicates: 0,
      publishMs: 500,
      redis: usage(30, 150),
      cpuMsPerDelivery: 0.5,
      peakRssBytes: null,
      publisherPeakRssBytes: null,
      healthyMs: 50,
      attempts: null,
      attemptMs: null,
      dispatcherHeap: null,
    });
    const text = renderReport(
      buildReport(
        run,
        [
          {
            drain: hookline(2_000),
            drainOrdered: { ...hookline(1_600), ordering: { key: 'resource', lines: 1_000 } },
            drainOrderedOneKey: {
              ...hookline(500),
              ordering: { key: 'endpoint', lines: 1 },
              roundTrip: {
                count: 1_000,
                latencyMs: { ...summarize([0.2, 0.3]), mean: 0.25 },
                perSecond: 4_000,
              },
            },
          },
        ],
        [],
      ),
    );
    expect(text).toMatch(
      /drain ordered by resource \(1,000 ids\): deliveries\/s +1,600 +2,000 .*≥ 0\.7× +PASS/,
    );
    expect(text).toMatch(/ordered, one line of 1,000: deliveries\/s \(first → last\) +500 +4,000/);
    expect(text).toMatch(
      /one line: the receiver’s round trip +1,000 signed POSTs one at a time: mean 0\.25 ms/,
    );
  });
});

describe('renderReport for tenant fairness', () => {
  it("judges B's p99 during A's flood against B's alone, and A's drain with B against alone", () => {
    const run = {
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1_000,
      quick: true,
      profile: false,
      node: 'v20',
      redis: '7',
      cpus: 2,
      cpuModel: 'test',
      loadAverage: { start: 0, end: 0 },
      commit: null,
      sizes: QUICK,
      rounds: 1,
    };
    const trickle = (p99: number) => ({
      rate: 5,
      sent: 25,
      accepted: 25,
      received: 25,
      publishErrors: 0,
      lost: 0,
      duplicates: 0,
      latencyMs: { ...summarize([5, 6]), p50: 6, p99 },
    });
    const drain = (perSecond: number) => ({
      count: 20_000,
      ms: 8_000,
      perSecond,
      firstToLast: { count: 19_999, ms: 7_000, perSecond },
      startupMs: 400,
      duplicates: 0,
      publishMs: 1_500,
      redis: usage(30, 150),
      cpuMsPerDelivery: 0.5,
      peakRssBytes: null,
      publisherPeakRssBytes: null,
      attempts: 20_000,
      attemptMs: 45.25,
    });
    const text = renderReport(
      buildReport(
        run,
        [
          {
            fairness: {
              backlog: 20_000,
              alone: trickle(8),
              floodAlone: drain(3_000),
              flood: drain(2_850),
              duringFlood: trickle(40),
            },
          },
        ],
        [],
      ),
    );
    expect(text).toMatch(
      /fairness: B's p99 at 5\/s during A's flood of 20,000 \/ alone +40\.0 ms +8\.00 ms .*≤ 2×, no errors +MISS/,
    );
    expect(text).toMatch(
      /fairness: A's drain with B \/ alone: deliveries\/s \(first → last\) +2,850 +3,000 .*≥ 0\.9× +PASS/,
    );
    expect(text).toMatch(/fairness: B during A's flood +25 sent at 5\/s, 25 accepted, 25 received/);
    expect(text).toMatch(
      /fairness: A's flood alone +20,000 published in .*; the dispatcher's attempts 45\.3 ms on average/,
    );
  });
});

describe('tracingLine', () => {
  it('says how many spans the service sent per unit, in how many exports, and what the sink got in all', () => {
    expect(
      tracingLine({
        service: 'hookline-producer',
        sent: { requests: 4, bytes: 400_000, spans: 2_000 },
        per: 'publish request',
        units: 1_000,
        spansPerUnit: 2,
        sink: {
          requests: 5,
          bytes: 410_000,
          spans: 2_010,
          refused: 1,
          services: {},
        },
        sinkCpuMs: 120,
      }),
    ).toBe(
      '2,000 spans from hookline-producer = 2.00 per publish request (1,000), in 4 exports of 100.0 kB ' +
        '(200 bytes a span); the sink: 2,010 spans in 5 exports from every service, 0.4 MB, 1 refused, 120 ms of its CPU',
    );
  });
});
