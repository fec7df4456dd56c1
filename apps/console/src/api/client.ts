import { ApiError } from './api-error';
import type { ErrorBody } from './types';

export type Query = Record<string, string | number | undefined | null>;

/** `path?query`, leaving out empty values: the API refuses unknown or empty parameters. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as Partial<ErrorBody> | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/**
 * The public HTTP API on this origin, with one key in the Authorization header (never in a URL,
 * where a proxy's or server's access log would keep it). `onUnauthorized` hears of a 401: the
 * key expired or was revoked.
 */
export class Api {
  constructor(
    private readonly key: string,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'network', 'the server did not answer (network error)');
    }
    if (response.status === 204) return undefined as T;
    const parsed: unknown = await response.json().catch(() => undefined);
    if (response.ok) return parsed as T;
    if (response.status === 401) this.onUnauthorized();
    if (isErrorBody(parsed)) {
      const { code, message, details } = parsed.error;
      throw new ApiError(response.status, code, message, details ?? []);
    }
    throw new ApiError(response.status, 'http', `${method} ${path} answered ${response.status}`);
  }
}

/** The producer's Prometheus text (`/metrics`: no key, same origin). */
export async function fetchMetrics(): Promise<string> {
  const response = await fetch('/metrics', { cache: 'no-store', credentials: 'omit' });
  if (!response.ok)
    throw new ApiError(response.status, 'http', `/metrics answered ${response.status}`);
  return response.text();
}
