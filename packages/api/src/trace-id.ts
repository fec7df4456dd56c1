import { z } from 'zod';

// W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header):
// `<version>-<trace-id>-<parent-id>-<trace-flags>`, lowercase hex. A trace id or parent id of all
// zeros is invalid, and so is version `ff`; a header that breaks any rule is ignored, as the
// recommendation requires of a vendor. Versions after 00 may append fields after a `-`.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
const ZEROS = /^0+$/;

/** The trace id of the publish's W3C `traceparent`: 32 lowercase hex digits. */
export const TraceId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .describe("the trace id of the publish's W3C `traceparent`");
export type TraceId = z.infer<typeof TraceId>;

/** The trace id a stored `traceparent` names, or null when there is none or it is not valid. */
export function traceIdOf(traceparent: string | null | undefined): TraceId | null {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match) return null;
  const [, version, traceId = '', parentId = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  return ZEROS.test(traceId) || ZEROS.test(parentId) ? null : traceId;
}
