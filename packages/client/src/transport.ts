import type * as GotModule from 'got' with { 'resolution-mode': 'import' };
import type { Got, Hooks, Method, RequestError } from 'got' with { 'resolution-mode': 'import' };
import { HooklineApiError, HooklineConnectionError } from './errors';
import type { ApiErrorCode, ErrorDetail } from './types';
import { CLIENT_VERSION } from './version';

export interface TransportOptions {
  url: string;
  apiKey: string;
  timeoutMs: number;
  retries: number;
  hooks: Partial<Hooks>;
  headers: Record<string, string>;
}

export interface RequestOptions {
  method: Method;
  /** Relative to the base URL, no leading slash: `v1/endpoints`. */
  path: string;
  json?: unknown;
  searchParams?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /**
   * Let got retry this request although its method is POST. Only for requests that are safe to
   * repeat: publishes carry an Idempotency-Key, so a retry finds the first one's answer.
   */
  retryable?: boolean;
  /**
   * A 404 on a retry means the first try took effect and only its answer was lost: a retried
   * DELETE finds the endpoint already gone. Treat it as success.
   */
  notFoundOnRetryIsDone?: boolean;
}

// got's defaults minus POST and PATCH: those are retried only when the request says so.
const RETRY_METHODS: Method[] = ['GET', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'];
// got's defaults minus 413 (a body too large stays too large) and the Cloudflare-only 52x.
const RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504];

/** HTTP to the producer through one got instance, and its failures as Hookline's errors. */
export class Transport {
  private loaded: Promise<{ got: Got; module: typeof GotModule }> | undefined;

  constructor(private readonly options: TransportOptions) {}

  async request<T>(request: RequestOptions): Promise<T> {
    const { got, module } = await this.load();
    try {
      const response = await got(request.path, {
        method: request.method,
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(request.searchParams ? { searchParams: definedOnly(request.searchParams) } : {}),
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.retryable ? { retry: { methods: [...RETRY_METHODS, request.method] } } : {}),
      });
      return parseSuccess<T>(response.statusCode, response.body, response.url);
    } catch (error) {
      if (error instanceof module.HTTPError) {
        const { statusCode, retryCount } = error.response;
        const body: unknown = error.response.body;
        if (request.notFoundOnRetryIsDone && statusCode === 404 && retryCount > 0)
          return undefined as T;
        throw apiError(statusCode, typeof body === 'string' ? body : '');
      }
      if (error instanceof module.RequestError) throw connectionError(error, this.options.url);
      throw error;
    }
  }

  /**
   * got is ESM-only and this package is CommonJS: `import()` (which tsc keeps as a real dynamic
   * import in CommonJS output) loads it on the first request, once.
   */
  private load() {
    this.loaded ??= import('got').then((module) => ({
      module,
      got: module.default.extend(this.gotOptions()),
    }));
    return this.loaded;
  }

  private gotOptions() {
    const { url, apiKey, timeoutMs, retries, hooks, headers } = this.options;
    return {
      prefixUrl: url,
      headers: {
        ...headers,
        authorization: `Bearer ${apiKey}`,
        accept: 'application/json',
        'user-agent': `hookline-client/${CLIENT_VERSION}`,
      },
      // Bodies are parsed here rather than by got, so that an error's body can be read whatever it is.
      responseType: 'text' as const,
      timeout: { request: timeoutMs },
      retry: { limit: retries, methods: RETRY_METHODS, statusCodes: RETRY_STATUS_CODES },
      hooks,
    };
  }
}

function definedOnly(
  params: Record<string, string | number | undefined>,
): Record<string, string | number> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number
  >;
}

function parseSuccess<T>(status: number, body: string, url: string): T {
  if (status === 204 || body === '') return undefined as T;
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new HooklineApiError(
      status,
      'invalid_response',
      `HTTP ${status} from ${url} with a body that is not JSON`,
    );
  }
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as Partial<ErrorBody> | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    typeof error.message === 'string'
  );
}

function isDetail(value: unknown): value is ErrorDetail {
  const d = value as Partial<ErrorDetail> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.path === 'string' &&
    typeof d.message === 'string'
  );
}

/** The API's error body `{"error": {code, message, details}}` (docs/api.md), or `invalid_response` when the body is something else. */
export function apiError(status: number, body: string): HooklineApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (!isErrorBody(parsed)) {
    return new HooklineApiError(
      status,
      'invalid_response',
      `HTTP ${status} without a Hookline error body`,
    );
  }
  const details = Array.isArray(parsed.error.details) ? parsed.error.details.filter(isDetail) : [];
  return new HooklineApiError(
    status,
    parsed.error.code as ApiErrorCode,
    parsed.error.message,
    details,
  );
}

function connectionError(error: RequestError, url: string): HooklineConnectionError {
  return new HooklineConnectionError(
    `cannot reach Hookline at ${url}: ${error.message}`,
    error.code,
    { cause: error },
  );
}
