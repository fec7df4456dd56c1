import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { UsageError } from './errors';

// Parsers for commander options: they throw InvalidArgumentError, which commander reports as a
// usage error naming the option.

function wholeNumber(value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  return n;
}

export const port = (value: string) => wholeNumber(value, 0, 65_535);
export const httpStatus = (value: string) => wholeNumber(value, 100, 599);
export const positive = (value: string) => wholeNumber(value, 1, Number.MAX_SAFE_INTEGER);
/** A tenant's weight (docs/api.md, `PUT /v1/tenants/:tenant_id`). */
export const weight = (value: string) => wholeNumber(value, 1, 100);

export function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

const DURATION = /^([1-9][0-9]{0,9})(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `--expires-in 24h`: a duration's form (ms, s, m, h, d), checked here so that a typo is a usage
 * error; the API checks the range (1s to 30d).
 */
export function duration(value: string): string {
  if (!DURATION.test(value))
    throw new InvalidArgumentError('must be a duration like 30m, 24h or 7d');
  return value;
}

const GRACE = /^(0|[1-9][0-9]{0,9})(ms|s|m|h|d)$/;

/** `--grace 10m`: a duration as for {@link duration}, or none at all (`0s`); the API checks the range. */
export function grace(value: string): string {
  if (!GRACE.test(value)) throw new InvalidArgumentError('must be a duration like 0s, 10m or 24h');
  return value;
}

/**
 * `--since 24h`, `--until 2026-05-01T12:00:00Z`: a duration before `now()`, or a date or time
 * (ISO 8601: a time without an offset is local, a date alone midnight UTC), as the ISO 8601 time
 * in UTC the API takes.
 */
export function time(now: () => number): (value: string) => string {
  return (value) => {
    const ago = DURATION.exec(value);
    const at = ago
      ? now() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]
      : /^\d{4}-\d{2}-\d{2}/.test(value)
        ? Date.parse(value)
        : Number.NaN;
    // A Date holds ±100,000,000 days around 1970; `9999999999d` ago is not one.
    if (Number.isNaN(new Date(at).getTime()))
      throw new InvalidArgumentError(
        'must be a time like 2026-05-01T12:00:00Z, or a duration ago like 30m, 24h or 7d',
      );
    return new Date(at).toISOString();
  };
}

/** `--since <time>`, for a search or a replay: what was created at or after then. */
export const sinceOption = (now: () => number) =>
  new Option(
    '--since <time>',
    'only those created at or after this time (ISO 8601), or this long ago (30m, 24h, 7d)',
  ).argParser(time(now));

/** `--until <time>`, for a search or a replay: what was created before then. */
export const untilOption = (now: () => number) =>
  new Option('--until <time>', 'only those created before this time, or this long ago').argParser(
    time(now),
  );

/** For repeatable options: `--event a --event b` → `['a', 'b']`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--events a,b.*`, repeatable too: every comma-separated entry. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** `--header Name:value`, repeatable, into an object. */
export function header(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('must be Name:value');
  return { ...previous, [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() };
}

/** `--resource order:ord_123` → `{resource_type: 'order', id: 'ord_123'}`. */
export function resource(value: string): { resource_type: string; id: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1)
    throw new InvalidArgumentError('must be type:id, e.g. order:ord_123');
  return { resource_type: value.slice(0, colon), id: value.slice(colon + 1) };
}

/** A file's text, for an option that names a file (`--client-cert client.pem`). */
export function fileText(option: string) {
  return (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`${option} ${file}: ${(error as Error).message}`);
    }
  };
}

/** `--data '{…}'` or `--data @file.json`: a JSON object. */
export function jsonObject(value: string): Record<string, unknown> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`--data ${value}: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--data is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError('--data must be a JSON object');
  return parsed as Record<string, unknown>;
}
