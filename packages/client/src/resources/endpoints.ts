import { Pager } from '../pager';
import type { Transport } from '../transport';
import type {
  BlockedLines,
  CreatedEndpoint,
  Endpoint,
  EndpointCreateParams,
  EndpointListParams,
  EndpointUpdateParams,
  Page,
  Published,
  RecoverParams,
  SecretKey,
  SecretRotateParams,
  TestSendParams,
} from '../types';
import { path } from './path';
import { iso } from './time';

/** `/v1/endpoints`: where events are delivered. */
export class Endpoints {
  constructor(private readonly http: Transport) {}

  /**
   * Creates an endpoint; the answer is the only one besides `getSecret` that holds its `secret`.
   * `tenant_id` makes it receive that tenant's events only (never changed afterwards); with a
   * tenant key it belongs to the key's tenant.
   */
  create(params: EndpointCreateParams): Promise<CreatedEndpoint> {
    return this.http.request({ method: 'POST', path: 'v1/endpoints', json: params });
  }

  /**
   * Every endpoint (or one tenant's), oldest first, fetched `limit` at a time as the iteration
   * goes. A tenant key lists its own tenant's only.
   */
  list({ limit, cursor, tenant_id }: EndpointListParams = {}): Pager<Endpoint> {
    return new Pager(
      (after) =>
        this.http.request<Page<Endpoint>>({
          method: 'GET',
          path: 'v1/endpoints',
          searchParams: { tenant_id, limit, cursor: after },
        }),
      cursor,
    );
  }

  get(id: string): Promise<Endpoint> {
    return this.http.request({ method: 'GET', path: path`v1/endpoints/${id}` });
  }

  /** Changes the given fields only. */
  update(id: string, params: EndpointUpdateParams): Promise<Endpoint> {
    return this.http.request({ method: 'PATCH', path: path`v1/endpoints/${id}`, json: params });
  }

  /** Deletes the endpoint; its pending deliveries are dropped (they end `dead`). */
  async delete(id: string): Promise<void> {
    await this.http.request<undefined>({
      method: 'DELETE',
      path: path`v1/endpoints/${id}`,
      notFoundOnRetryIsDone: true,
    });
  }

  /** The secret the endpoint signs with now. */
  getSecret(id: string): Promise<SecretKey> {
    return this.http.request({ method: 'GET', path: path`v1/endpoints/${id}/secret` });
  }

  /**
   * Replaces the signing secret (with `key`, or a generated one). The old secret keeps signing
   * beside the new one for `HOOKLINE_SECRET_ROTATION_GRACE`, so receivers can switch over.
   */
  rotateSecret(id: string, params: SecretRotateParams = {}): Promise<SecretKey> {
    return this.http.request({
      method: 'POST',
      path: path`v1/endpoints/${id}/secret/rotate`,
      json: params,
    });
  }

  /** Sends a test delivery: signed like any other, without `Event-Id`. */
  sendTest(id: string, params: TestSendParams): Promise<Published> {
    return this.http.request({ method: 'POST', path: path`v1/endpoints/${id}/test`, json: params });
  }

  /**
   * An ordered endpoint's blocked lines: those whose head delivery failed an attempt and holds
   * the line through its retries, longest blocked first (at most 100), each with its head and how
   * many deliveries wait behind it. `{data: []}` for an endpoint without `ordering`.
   */
  listBlockedLines(id: string): Promise<BlockedLines> {
    return this.http.request({ method: 'GET', path: path`v1/endpoints/${id}/blocked-lines` });
  }

  /** Re-enqueues every failed or dead-lettered delivery of the endpoint since `since`. */
  recover(id: string, { since }: RecoverParams): Promise<{ recovered: number }> {
    return this.http.request({
      method: 'POST',
      path: path`v1/endpoints/${id}/recover`,
      json: { since: iso(since) },
    });
  }
}
