import { z } from 'zod';

/** Every error code the API answers with. */
export const ErrorCode = z.enum([
  'unauthorized',
  'forbidden',
  'invalid_json',
  'validation_failed',
  'not_found',
  'payload_too_large',
  'idempotency_conflict',
  'unsupported_media_type',
  'quota_exceeded',
  'rate_limited',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Where a request went wrong (`url`, `events.3.name`, `cursor`) and how. */
export const ErrorDetail = z.object({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

/** The body of every error response, whatever its status. */
export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string(), details: z.array(ErrorDetail) }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
