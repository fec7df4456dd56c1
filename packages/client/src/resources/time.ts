import type { Time } from '../types';

/** A time as the API takes it: a `Date` as ISO 8601, a string as given (the API checks it). */
export function iso(time: Time): string;
export function iso(time: Time | undefined): string | undefined;
export function iso(time: Time | undefined): string | undefined {
  return time instanceof Date ? time.toISOString() : time;
}
