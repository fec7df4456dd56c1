import { Pager } from '../pager';
import type { Transport } from '../transport';
import type {
  ListParams,
  Page,
  Tenant,
  TenantKey,
  TenantKeyCreateParams,
  TenantSettingsParams,
  TenantSummary,
} from '../types';
import { path } from './path';

/**
 * `/v1/tenants`: the publisher's customers, each with its own endpoints. A tenant needs no
 * creation: it exists while it has endpoints (`endpoints.create({tenant_id})`). Operator keys
 * only: with a tenant key every method is a 403 `forbidden`.
 */
export class Tenants {
  constructor(private readonly http: Transport) {}

  /** Every tenant that has at least one endpoint, by id, fetched `limit` at a time. */
  list({ limit, cursor }: ListParams = {}): Pager<TenantSummary> {
    return new Pager(
      (after) =>
        this.http.request<Page<TenantSummary>>({
          method: 'GET',
          path: 'v1/tenants',
          searchParams: { limit, cursor: after },
        }),
      cursor,
    );
  }

  /** The tenant's figures, counted now: its endpoints, pending deliveries and dead letter. */
  get(id: string): Promise<Tenant> {
    return this.http.request({ method: 'GET', path: path`v1/tenants/${id}` });
  }

  /**
   * Sets the tenant's weight: its share of the front lane, where each tenant's first deliveries of
   * every second go before other tenants' backlogs. An unknown tenant is a 404.
   */
  update(id: string, params: TenantSettingsParams): Promise<Tenant> {
    return this.http.request({ method: 'PUT', path: path`v1/tenants/${id}`, json: params });
  }

  /**
   * Deletes every endpoint of the tenant (their pending deliveries are dropped) and revokes its
   * keys. Other tenants are untouched. An unknown tenant is a 404.
   */
  async delete(id: string): Promise<void> {
    await this.http.request<undefined>({
      method: 'DELETE',
      path: path`v1/tenants/${id}`,
      notFoundOnRetryIsDone: true,
    });
  }

  /**
   * Mints a tenant key (`hlt_…`), shown only in this answer, and `portal_url`: the console
   * signed in with it, for the tenant's people. Not retried: a repeat would mint a second key.
   */
  createKey(id: string, params: TenantKeyCreateParams = {}): Promise<TenantKey> {
    return this.http.request({ method: 'POST', path: path`v1/tenants/${id}/keys`, json: params });
  }

  /** Revokes every key of the tenant at once; its endpoints stay. */
  async revokeKeys(id: string): Promise<void> {
    await this.http.request<undefined>({ method: 'DELETE', path: path`v1/tenants/${id}/keys` });
  }
}
