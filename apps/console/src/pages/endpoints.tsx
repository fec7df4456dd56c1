import { useEffect, useState } from 'preact/hooks';
import type { CreatedEndpoint, Endpoint, Page } from '../api/types';
import { EndpointForm } from '../components/endpoint-form';
import { ErrorBox } from '../components/error-box';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { EnabledBadge } from '../components/status-badge';
import { publishesTo, typeLabel, typeOf } from '../endpoint-type';
import { Time } from '../components/time';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { href, navigate, type Route } from '../routing';
import { showsTenants } from '../session/identity';
import { useSession } from '../session/session';

export function EndpointsPage({ route }: { route: Route }) {
  const { api, identity } = useSession();
  const tenants = showsTenants(identity);
  const tenantFilter = (tenants && route.query.get('tenant_id')) || undefined;
  const cursor = useCursor(tenantFilter ?? '');
  const list = usePoll(
    () =>
      api.get<Page<Endpoint>>('/v1/endpoints', {
        tenant_id: tenantFilter,
        cursor: cursor.current,
        limit: 25,
      }),
    [tenantFilter, cursor.current],
  );
  const [creating, setCreating] = useState(false);
  const [tenantInput, setTenantInput] = useState(tenantFilter ?? '');
  // A link to another tenant's endpoints lands on this page already open.
  useEffect(() => setTenantInput(tenantFilter ?? ''), [tenantFilter]);

  return (
    <>
      <PageHeader title="Endpoints" subtitle="Where events are delivered, and how.">
        <button type="button" class="button button-primary" onClick={() => setCreating(!creating)}>
          {creating ? 'Close' : 'New endpoint'}
        </button>
      </PageHeader>

      {creating && (
        <section class="card">
          <h2>New endpoint</h2>
          <EndpointForm
            askTenant={tenants}
            submitLabel="Create endpoint"
            onCancel={() => setCreating(false)}
            onSubmit={async (input) => {
              const created = await act(
                () => api.post<CreatedEndpoint>('/v1/endpoints', input),
                (e) => ({
                  text: e.secret.startsWith('whpk_')
                    ? `Created ${e.id}. Its public key, which receivers verify with (anyone may see it):`
                    : `Created ${e.id}. Its signing secret, shown here once (the endpoint's page can show it again):`,
                  value: e.secret,
                }),
              );
              if (created) list.reload();
              return created !== undefined;
            }}
          />
        </section>
      )}

      {tenants && (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            navigate('endpoints', { tenant_id: tenantInput.trim() });
          }}
        >
          <label class="field">
            <span>Tenant</span>
            <input
              class="input mono"
              name="tenant_id"
              placeholder="all"
              value={tenantInput}
              onInput={(e) => setTenantInput(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="button">
            Filter
          </button>
          {tenantFilter && (
            <button type="button" class="button button-quiet" onClick={() => navigate('endpoints')}>
              Clear
            </button>
          )}
        </form>
      )}

      <section class="card">
        <ErrorBox error={list.error} />
        {list.data &&
          (list.data.data.length === 0 ? (
            <p class="empty">No endpoint{tenantFilter ? ` for tenant ${tenantFilter}` : ''} yet.</p>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Type</th>
                  <th>Description</th>
                  <th>Event types</th>
                  {tenants && <th>Tenant</th>}
                  <th>State</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((e) => (
                  <tr key={e.id} data-endpoint={e.id}>
                    <td>
                      <a class="mono" href={href(`endpoints/${e.id}`)}>
                        {e.url}
                      </a>
                      <div class="muted mono small">{e.id}</div>
                    </td>
                    <td>
                      {typeLabel(typeOf(e))}
                      {publishesTo(e) && <div class="muted mono small">{publishesTo(e)}</div>}
                    </td>
                    <td>{e.description || <span class="muted">—</span>}</td>
                    <td class="mono small">
                      {e.event_types.length ? (
                        e.event_types.join(', ')
                      ) : (
                        <span class="muted">all</span>
                      )}
                    </td>
                    {tenants && <td class="mono">{e.tenant_id ?? <span class="muted">—</span>}</td>}
                    <td>
                      <EnabledBadge disabled={e.disabled} />
                    </td>
                    <td>
                      <Time iso={e.created_at} />
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
