import { parseCommandStats } from './redis-server';
import { redisUsage } from './redis-usage';

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
