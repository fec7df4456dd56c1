import { traceIdOf } from './trace-context';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('traceIdOf', () => {
  test('takes the trace id of a version 00 traceparent', () => {
    expect(traceIdOf(`00-${TRACE}-${SPAN}-01`)).toBe(TRACE);
    expect(traceIdOf(`00-${TRACE}-${SPAN}-00`)).toBe(TRACE);
  });

  test('takes the trace id of a later version, whatever fields it appends', () => {
    expect(traceIdOf(`01-${TRACE}-${SPAN}-01`)).toBe(TRACE);
    expect(traceIdOf(`cc-${TRACE}-${SPAN}-01-what-comes-next`)).toBe(TRACE);
  });

  test('is null without a traceparent', () => {
    expect(traceIdOf(null)).toBeNull();
    expect(traceIdOf(undefined)).toBeNull();
    expect(traceIdOf('')).toBeNull();
  });

  test.each([
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['a version 00 header with more fields', `00-${TRACE}-${SPAN}-01-extra`],
    ['a later version running on without a dash', `01-${TRACE}-${SPAN}-01x`],
    ['surrounding spaces', ` 00-${TRACE}-${SPAN}-01`],
    ['anything else', 'not a traceparent'],
  ])('is null for %s', (_, header) => {
    expect(traceIdOf(header)).toBeNull();
  });
});
