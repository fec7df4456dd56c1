import type { ErrorCode, ErrorDetail } from '@hookline/api';

/**
 * An error the API answers as `{error: {code, message, details}}` with its status. Routes throw
 * it for what the caller got wrong; the one error middleware (errors.ts) renders it, and turns
 * everything else (domain errors of the stores, outages, bugs) into one.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'not_found', `${what} ${id} not found`);
