import { Pager } from '../pager';
import type { Transport } from '../transport';
import type {
  CreatedOperatorKey,
  ListParams,
  OperatorKey,
  OperatorKeyCreateParams,
  OperatorKeyRotateParams,
  Page,
} from '../types';
import { path } from './path';

/**
 * `/v1/operator-keys`: keys to every route, made, rotated and revoked without restarting a
 * producer (the keys of `HOOKLINE_API_KEYS` stay the bootstrap keys, and are not listed). Operator
 * keys only: with a tenant key every method is a 403 `forbidden`.
 */
export class OperatorKeys {
  constructor(private readonly http: Transport) {}

  /**
   * A new key (`hlo_…`), shown only in this answer. Lives `expires_in`, or until revoked. Not
   * retried: a repeat would make a second key.
   */
  create(params: OperatorKeyCreateParams = {}): Promise<CreatedOperatorKey> {
    return this.http.request({ method: 'POST', path: 'v1/operator-keys', json: params });
  }

  /** The keys made through the API, oldest first, without secrets, fetched `limit` at a time. */
  list({ limit, cursor }: ListParams = {}): Pager<OperatorKey> {
    return new Pager(
      (after) =>
        this.http.request<Page<OperatorKey>>({
          method: 'GET',
          path: 'v1/operator-keys',
          searchParams: { limit, cursor: after },
        }),
      cursor,
    );
  }

  /** Stops the key (and the one it was rotated from) on every producer at once. */
  async revoke(id: string): Promise<void> {
    await this.http.request<undefined>({
      method: 'DELETE',
      path: path`v1/operator-keys/${id}`,
      notFoundOnRetryIsDone: true,
    });
  }

  /**
   * A new key for the same id, shown only in this answer; the old one keeps working for `grace`
   * (default: the producer's `HOOKLINE_SECRET_ROTATION_GRACE`). Not retried: a repeat would
   * replace the key just returned.
   */
  rotate(id: string, params: OperatorKeyRotateParams = {}): Promise<CreatedOperatorKey> {
    return this.http.request({
      method: 'POST',
      path: path`v1/operator-keys/${id}/rotate`,
      json: params,
    });
  }
}
