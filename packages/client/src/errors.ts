import type { ApiErrorCode, ErrorDetail } from './types';

/** Every error the client throws on purpose. */
export class HooklineError extends Error {
  override readonly name: string = 'HooklineError';
}

/**
 * Hookline answered with an error: `{"error": {code, message, details}}` and a 4xx or 5xx
 * `status`. A 4xx is the request's fault and will fail again as it is; a 5xx (or `unavailable`)
 * was already retried by the client as far as its `retries` allow.
 */
export class HooklineApiError extends HooklineError {
  override readonly name = 'HooklineApiError';

  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** No answer from Hookline: refused, reset, DNS, TLS or timed out, after the client's retries. */
export class HooklineConnectionError extends HooklineError {
  override readonly name = 'HooklineConnectionError';

  constructor(
    message: string,
    /** Node's or got's error code: `ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`… */
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
