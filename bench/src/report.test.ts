import { clusterMasterRows } from './report';
import type { ClusterDrainFigures } from './results';

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
