/**
 * An error the API turns into a JSON response: `{error: {code, message, details}}`.
 * Stores throw it for what the caller got wrong (404, 409, 422); anything else is a bug or an
 * outage and is rendered as 500 or 503 by the API's one error middleware.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export type ErrorCode =
  | 'unauthorized'
  | 'invalid_json'
  | 'validation_failed'
  | 'not_found'
  | 'payload_too_large'
  | 'idempotency_conflict'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'internal';

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'not_found', `${what} ${id} not found`);
