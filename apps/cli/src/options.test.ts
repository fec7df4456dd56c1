import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HooklineApiError, HooklineConnectionError } from '@hookline/client';
import { describeError, exitCodeOf, UsageError } from './errors';
import { table } from './io';
import { duration, header, httpStatus, jsonObject, port, rate, resource, time } from './options';
import { CLI_VERSION } from './version';

test('numbers are checked against their range', () => {
  expect(port('0')).toBe(0);
  expect(() => port('65536')).toThrow(/0 to 65535/);
  expect(() => port('80x')).toThrow();
  expect(httpStatus('503')).toBe(503);
  expect(() => httpStatus('99')).toThrow();
  expect(rate('0.25')).toBe(0.25);
  expect(() => rate('1.5')).toThrow(/0 to 1/);
  expect(() => rate('')).toThrow();
});

test('--expires-in takes a duration with its unit, and leaves the range to the API', () => {
  expect(duration('24h')).toBe('24h');
  expect(duration('500ms')).toBe('500ms');
  expect(duration('90d')).toBe('90d');
  for (const bad of ['24', '1w', '0h', '-1h', '1.5h', ' 1h'])
    expect(() => duration(bad)).toThrow(/duration like 30m, 24h or 7d/);
});

test('--since and --until take an ISO 8601 time or date, or a duration ago, as UTC ISO 8601', () => {
  const now = Date.parse('2026-05-02T12:00:00Z');
  const at = time(() => now);
  expect(at('24h')).toBe('2026-05-01T12:00:00.000Z');
  expect(at('90m')).toBe('2026-05-02T10:30:00.000Z');
  expect(at('2026-05-01T12:00:00Z')).toBe('2026-05-01T12:00:00.000Z');
  expect(at('2026-05-01T12:00:00+02:00')).toBe('2026-05-01T10:00:00.000Z');
  expect(at('2026-05-01')).toBe('2026-05-01T00:00:00.000Z');
  for (const bad of ['yesterday', '1', '', '2026-13-45', '9999999999d', '-1h'])
    expect(() => at(bad)).toThrow(/a time like .* or a duration ago/);
});

test('--header and --resource split on the first colon', () => {
  expect(header('X-Url: https://a.b', { A: '1' })).toEqual({ A: '1', 'X-Url': 'https://a.b' });
  expect(() => header('nocolon')).toThrow(/Name:value/);
  expect(resource('order:ord:1')).toEqual({ resource_type: 'order', id: 'ord:1' });
  expect(() => resource('order:')).toThrow(/type:id/);
});

test('--data is a JSON object, inline or @file', () => {
  expect(jsonObject('{"a":1}')).toEqual({ a: 1 });
  expect(jsonObject(`@${path.join(__dirname, '..', 'package.json')}`)).toMatchObject({
    name: '@hookline/cli',
  });
  expect(() => jsonObject('null')).toThrow(UsageError);
  expect(() => jsonObject('@/no/such/file.json')).toThrow(/no such file/);
});

test('an API error is one line with every detail, its code and status', () => {
  const error = new HooklineApiError(422, 'validation_failed', 'url: must be https (and 1 more)', [
    { path: 'url', message: 'must be https' },
    { path: 'event_types.0', message: 'must be an event name\nor a prefix' },
  ]);
  expect(describeError(error)).toBe(
    'url: must be https (and 1 more); event_types.0: must be an event name or a prefix (validation_failed, HTTP 422)',
  );
  expect(exitCodeOf(error)).toBe(1);
  expect(exitCodeOf(new HooklineConnectionError('down', 'ECONNREFUSED'))).toBe(1);
  expect(exitCodeOf(new UsageError('no'))).toBe(2);
});

test('tables align columns and do not pad the last one', () => {
  expect(
    table(
      ['ID', 'URL'],
      [
        ['ep_1', 'https://a'],
        ['ep_22', 'https://b'],
      ],
    ),
  ).toBe('ID     URL\nep_1   https://a\nep_22  https://b\n');
});

test('CLI_VERSION is the package version', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(CLI_VERSION).toBe(pkg.version);
});
