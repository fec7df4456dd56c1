import { parseCommandStats } from './redis-server';
import { mergeCommandStats, redisUsage } from './redis-usage';

const INFO = [
  '# Commandstats',
  'cmdstat_evalsha:calls=200,usec=9000,usec_per_call=45.00,rejected_calls=0,failed_calls=0',
  'cmdstat_hincrby:calls=300,usec=300,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=7,usec=70,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');

describe('redisUsage', () => {
  it('counts scripts and all commands per delivery, leaving out the bench’s own INFO calls', () => {
    const usage = redisUsage(parseCommandStats(INFO), 0.02, 100);
    expect(usage).toEqual({
      scriptsPerDelivery: 2,
      commandsPerDelivery: 5,
      cpuUsPerDelivery: 200,
      commands: [
        { command: 'hincrby', perDelivery: 3, usPerDelivery: 3 },
        { command: 'evalsha', perDelivery: 2, usPerDelivery: 90 },
      ],
    });
  });
});

describe('mergeCommandStats', () => {
  it('adds up calls and time per command over several servers', () => {
    expect(
      mergeCommandStats([
        { evalsha: { calls: 2, usec: 90 }, hget: { calls: 1, usec: 1 } },
        { evalsha: { calls: 3, usec: 10 }, xadd: { calls: 4, usec: 8 } },
      ]),
    ).toEqual({
      evalsha: { calls: 5, usec: 100 },
      hget: { calls: 1, usec: 1 },
      xadd: { calls: 4, usec: 8 },
    });
  });

  it('keeps CPU per delivery to 0.1 µs, for a master doing a small share', () => {
    expect(redisUsage({}, 0.0123, 1_000).cpuUsPerDelivery).toBe(12.3);
  });
});
