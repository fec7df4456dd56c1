import type { ErrorDetail } from '@hookline/api';
import { parseDuration } from '@hookline/core';
import { HttpError } from './http-error';

export type { ErrorDetail };

/** The part of a zod issue the API reports; structural, so this module needs no zod import. */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** Any zod schema (`safeParse` is all that is used). */
interface Schema<T> {
  safeParse(
    input: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: Issue[] } };
}

// A batch of 1,000 bad events can fail in thousands of places; the first hundred say enough
// and keep an error response small.
const MAX_DETAILS = 100;

const join = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** zod issues as the API's `details`: `url`, `events.3.name`, `headers.X-Foo`. */
export function issueDetails(issues: readonly Issue[]): ErrorDetail[] {
  const details = issues.flatMap((issue) =>
    // One entry per unknown field, at its own path, rather than one at the object's.
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
  return details.slice(0, MAX_DETAILS);
}

export function validationFailed(details: ErrorDetail[]): HttpError {
  const [first] = details;
  const summary = first ? `${first.path || 'body'}: ${first.message}` : 'the request is not valid';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new HttpError(422, 'validation_failed', summary + more, details);
}

/** Parses `input` with `schema`, or throws a 422 `validation_failed` naming every bad field. */
export function parse<T>(schema: Schema<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationFailed(issueDetails(result.error.issues));
}

/**
 * A duration of the request (`30m`, `7d`) in ms, within `min`–`max` ms, or a 422 on `path` whose
 * message is `must be from <range>` (the schema has checked its form; this, its size).
 */
export function durationWithin(
  path: string,
  text: string,
  [min, max]: readonly [number, number],
  range: string,
): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < min || ms > max)
    throw validationFailed([{ path, message: `must be from ${range}` }]);
  return ms;
}
