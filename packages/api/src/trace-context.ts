import { z } from 'zod';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): a publish's `traceparent` and
 * `tracestate`, as headers or, in a batch, per event in the body (docs/api.md, "Tracing").
 */

/** A version-00 `traceparent`: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. */
export const TRACEPARENT_PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A `tracestate` list member: `key=value` (W3C §3.3.1). */
const TRACESTATE_MEMBER =
  /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** Whether `text` is a `tracestate` Hookline keeps and passes on: 1–32 members, ≤ 512 chars. */
export function isTracestate(text: string): boolean {
  if (text.length > 512) return false;
  const members = text
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  return (
    members.length > 0 && members.length <= 32 && members.every((m) => TRACESTATE_MEMBER.test(m))
  );
}

export const Traceparent = z
  .string()
  .regex(
    TRACEPARENT_PATTERN,
    'a W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>',
  )
  .refine(
    (t) => !/^00-0{32}-/.test(t) && !/-0{16}-..$/.test(t),
    'trace and parent ids are not all zeros',
  )
  .describe("This event's own trace context (W3C `traceparent`), in place of the request's");

export const Tracestate = z
  .string()
  .refine(
    isTracestate,
    'a W3C tracestate: up to 32 comma-separated key=value members, 512 characters',
  )
  .describe('Vendor trace state (W3C `tracestate`) passed on with `traceparent`');

// W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header):
// `<version>-<trace-id>-<parent-id>-<trace-flags>`, lowercase hex. A trace id or parent id of all
// zeros is invalid, and so is version `ff`; a header that breaks any rule is ignored, as the
// recommendation requires of a vendor. Versions after 00 may append fields after a `-`.
const ANY_VERSION_TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
const ZEROS = /^0+$/;

/** The trace id of the publish's W3C `traceparent`: 32 lowercase hex digits. */
export const TraceId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .describe("the trace id of the publish's W3C `traceparent`");
export type TraceId = z.infer<typeof TraceId>;

/** The trace id a stored `traceparent` names, or null when there is none or it is not valid. */
export function traceIdOf(traceparent: string | null | undefined): TraceId | null {
  const match = traceparent ? ANY_VERSION_TRACEPARENT.exec(traceparent) : null;
  if (!match) return null;
  const [, version, traceId = '', parentId = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  return ZEROS.test(traceId) || ZEROS.test(parentId) ? null : traceId;
}
