import type { Api } from '../api/client';
import type { Page, TenantCounts, TenantKey, TenantListItem } from '../api/types';
import { ConfirmButton } from '../components/confirm-button';
import { ErrorBox } from '../components/error-box';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { formatTime } from '../format';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { href } from '../routing';
import { useSession } from '../session/session';

interface Row {
  id: string;
  counts?: TenantCounts;
}

const tenantPath = (id: string) => `/v1/tenants/${encodeURIComponent(id)}`;

/** A page of tenants, each with its counts (asked for when the list does not carry them). */
async function loadTenants(api: Api, cursor: string | undefined) {
  const page = await api.get<Page<TenantListItem>>('/v1/tenants', { cursor, limit: 25 });
  const rows = await Promise.all(
    page.data.map(async (item): Promise<Row> => {
      const id = typeof item === 'string' ? item : item.id;
      if (
        typeof item === 'object' &&
        item.endpoints !== undefined &&
        item.pending !== undefined &&
        item.dead_letter !== undefined
      )
        return { id, counts: item as TenantCounts };
      return { id, counts: await api.get<TenantCounts>(tenantPath(id)).catch(() => undefined) };
    }),
  );
  return { rows, next_cursor: page.next_cursor };
}

/** The publisher's customers: every tenant that has endpoints. */
export function TenantsPage() {
  const { api } = useSession();
  const cursor = useCursor('');
  const list = usePoll(() => loadTenants(api, cursor.current), [cursor.current]);

  return (
    <>
      <PageHeader
        title="Tenants"
        subtitle="Your customers: each tenant sees only its own endpoints and deliveries, through a portal link."
      />
      <section class="card">
        <ErrorBox error={list.error} what="tenant" />
        {list.data &&
          (list.data.rows.length === 0 ? (
            <p class="empty">No tenant yet: a tenant exists once an endpoint has its tenant_id.</p>
          ) : (
            <table class="table table-middle">
              <thead>
                <tr>
                  <th>Tenant</th>
                  <th class="num">Endpoints</th>
                  <th class="num">Pending</th>
                  <th class="num">Dead letter</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.data.rows.map(({ id, counts }) => (
                  <tr key={id} data-tenant={id}>
                    <td class="mono">
                      <strong>{id}</strong>
                    </td>
                    <td class="num">
                      <a href={href('endpoints', { tenant_id: id })}>{counts?.endpoints ?? '—'}</a>
                    </td>
                    <td class="num">{counts?.pending ?? '—'}</td>
                    <td class={counts?.dead_letter ? 'num bad' : 'num'}>
                      <a href={href('dead-letter', { tenant_id: id })}>
                        {counts?.dead_letter ?? '—'}
                      </a>
                    </td>
                    <td>
                      <div class="row-actions">
                        <a class="button button-quiet" href={href('events', { tenant_id: id })}>
                          Events
                        </a>
                        <button
                          type="button"
                          class="button"
                          onClick={() =>
                            void act(
                              () => api.post<TenantKey>(`${tenantPath(id)}/keys`, {}),
                              (k) => ({
                                text: `A portal link for ${id}, valid until ${formatTime(k.expires_at)}. It signs in with a tenant key: send it privately.`,
                                value: k.portal_url,
                              }),
                            )
                          }
                        >
                          Portal link
                        </button>
                        <ConfirmButton
                          question={`Revoke every key of ${id}? Its portal links stop working.`}
                          onConfirm={() =>
                            act(
                              () => api.delete(`${tenantPath(id)}/keys`).then(() => true),
                              () => `Revoked every key of ${id}.`,
                            )
                          }
                        >
                          Revoke keys
                        </ConfirmButton>
                        <ConfirmButton
                          danger
                          question={`Delete every endpoint of ${id} and revoke its keys?`}
                          onConfirm={() =>
                            act(
                              () => api.delete(tenantPath(id)).then(() => true),
                              () => `Deleted tenant ${id}.`,
                            ).then(list.reload)
                          }
                        >
                          Delete
                        </ConfirmButton>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        <Pager cursor={cursor} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
