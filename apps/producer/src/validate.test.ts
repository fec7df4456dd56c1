import { PublishBatch } from '@hookline/api';
import { HttpError } from './http-error';
import { issueDetails, parse, validationFailed } from './validate';

test('details name each bad field by its dotted path', () => {
  const result = PublishBatch.safeParse({
    events: [
      { name: 'ok', data: {} },
      { name: 'a b', data: [] },
    ],
  });
  expect(result.success).toBe(false);
  expect(issueDetails(result.error!.issues).map((d) => d.path)).toEqual([
    'events.1.name',
    'events.1.data',
  ]);
});

test('each unknown field gets a detail at its own path', () => {
  const result = PublishBatch.safeParse({ events: [{ name: 'ok', data: {}, extra: 1, more: 2 }] });
  expect(issueDetails(result.error!.issues)).toEqual([
    { path: 'events.0.extra', message: 'unknown field' },
    { path: 'events.0.more', message: 'unknown field' },
  ]);
});

test('details stop at a hundred', () => {
  const events = Array.from({ length: 300 }, () => ({ name: '', data: 1 }));
  expect(issueDetails(PublishBatch.safeParse({ events }).error!.issues)).toHaveLength(100);
});

test('parse returns the parsed value or throws a 422 validation_failed', () => {
  expect(parse(PublishBatch, { events: [{ name: 'a', data: {} }] })).toEqual({
    events: [{ name: 'a', data: {} }],
  });
  let thrown: unknown;
  try {
    parse(PublishBatch, {});
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HttpError);
  expect(thrown).toMatchObject({
    status: 422,
    code: 'validation_failed',
    details: [{ path: 'events' }],
  });
});

test('the message sums the details up: the first, and how many more', () => {
  expect(validationFailed([{ path: 'url', message: 'bad' }]).message).toBe('url: bad');
  expect(
    validationFailed([
      { path: '', message: 'bad' },
      { path: 'x', message: 'worse' },
    ]).message,
  ).toBe('body: bad (and 1 more)');
});
