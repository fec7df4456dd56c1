import { EndpointListQuery } from './endpoints';
import { EventListQuery } from './events';

test('a list query defaults its limit to 50 and takes a cursor of the listed kind', () => {
  expect(EndpointListQuery.parse({})).toEqual({ limit: 50 });
  const cursor = 'ep_01JH00000000000000000000AB';
  expect(EndpointListQuery.parse({ limit: '2', cursor })).toEqual({ limit: 2, cursor });
});

test.each(['zzz', '', '\u0000\u00ff', 'evt_01JH00000000000000000000AB', 'ep_01JH0000'])(
  'refuses a cursor that is not one the list hands out (%j), on the path cursor',
  (cursor) => {
    const result = EndpointListQuery.safeParse({ cursor });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['cursor']]);
  },
);

test('the events query takes ISO 8601 times and an event name, and nothing else', () => {
  expect(EventListQuery.parse({ name: 'order.paid', after: '2026-01-01T00:00:00Z' })).toMatchObject(
    { name: 'order.paid', after: '2026-01-01T00:00:00Z', limit: 50 },
  );
  expect(EventListQuery.safeParse({ after: 'yesterday' }).success).toBe(false);
  expect(EventListQuery.safeParse({ colour: 'red' }).success).toBe(false);
});
