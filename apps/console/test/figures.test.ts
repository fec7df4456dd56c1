import { parseSamples, queueFigures } from '../src/figures/prometheus';
import { countStatuses, successRatio } from '../src/figures/success-ratio';

const METRICS = `# HELP hookline_queue_jobs Jobs in each BullMQ queue, by state (read when scraped).
# TYPE hookline_queue_jobs gauge
hookline_queue_jobs{queue="deliveries",state="waiting"} 4
hookline_queue_jobs{queue="deliveries",state="active"} 2
hookline_queue_jobs{queue="deliveries",state="delayed"} 7
hookline_queue_jobs{queue="deliveries",state="failed"} 1
hookline_queue_jobs{queue="fanout",state="waiting"} 9
# TYPE hookline_dead_letter_size gauge
hookline_dead_letter_size 12
hookline_http_requests_total{route="/v1/events",status="202"} 30
`;

describe('the figures read from the producer’s /metrics', () => {
  test('pending is the deliveries queue’s waiting, active and delayed jobs', () => {
    expect(queueFigures(METRICS)).toEqual({ pending: 13, deadLetter: 12 });
  });

  test('series split by a label add up', () => {
    const split = [
      'hookline_queue_jobs{queue="deliveries:0",state="waiting"} 1',
      'hookline_queue_jobs{queue="deliveries:1",state="waiting"} 2',
      'hookline_dead_letter_size{shard="0"} 3',
      'hookline_dead_letter_size{shard="1"} 4',
    ].join('\n');
    expect(queueFigures(split)).toEqual({ pending: 3, deadLetter: 7 });
  });

  test('a text without the metrics gives no figure rather than a zero', () => {
    expect(queueFigures('# nothing here\n')).toEqual({ pending: undefined, deadLetter: undefined });
  });

  test('label values keep their escapes undone', () => {
    const [sample] = parseSamples('m{a="x\\"y\\\\z"} 1\n', ['m']);
    expect(sample).toEqual({ name: 'm', labels: { a: 'x"y\\z' }, value: 1 });
  });
});

describe('the success ratio of recent deliveries', () => {
  test('is delivered over settled: pending ones are left out, failed ones count against', () => {
    const counts = countStatuses([
      'delivered',
      'delivered',
      'delivered',
      'failed',
      'pending',
      'dead',
    ]);
    expect(counts).toEqual({ pending: 1, delivered: 3, failed: 1, dead: 1 });
    expect(successRatio(counts)).toBe(0.6);
  });

  test('is undefined when nothing has settled yet', () => {
    expect(successRatio(countStatuses(['pending', 'pending']))).toBeUndefined();
  });
});
