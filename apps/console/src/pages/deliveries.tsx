import { useEffect, useState } from 'preact/hooks';
import type { Delivery, Page } from '../api/types';
import { DELIVERY_STATUSES } from '../api/types';
import { DeliveryTable } from '../components/delivery-table';
import { ErrorBox } from '../components/error-box';
import { TextFilter, TimeFilter } from '../components/filter-fields';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { navigate, type Route } from '../routing';
import { showsTenants } from '../session/identity';
import { useSession } from '../session/session';

/** `GET /v1/deliveries`'s filters, as this page's query carries them. */
const FILTERS = [
  'tenant_id',
  'endpoint_id',
  'status',
  'name',
  'resource_id',
  'http_status',
  'since',
  'until',
] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** Deliveries from the log, newest first, searched by any of the API's filters. */
export function DeliveriesPage({ route }: { route: Route }) {
  const { api, identity } = useSession();
  const tenants = showsTenants(identity);
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = route.query.get(name);
    if (value && (name !== 'tenant_id' || tenants)) filters[name] = value;
  }
  const filterKey = JSON.stringify(filters);
  const cursor = useCursor(filterKey);
  const list = usePoll(
    () =>
      api.get<Page<Delivery>>('/v1/deliveries', { ...filters, cursor: cursor.current, limit: 25 }),
    [filterKey, cursor.current],
  );
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(filters), [filterKey]);

  const input = (name: keyof Filters, label: string, placeholder: string) => (
    <TextFilter
      name={name}
      label={label}
      placeholder={placeholder}
      draft={draft}
      setDraft={setDraft}
    />
  );
  const time = (name: 'since' | 'until', label: string) => (
    <TimeFilter name={name} label={label} draft={draft} setDraft={setDraft} />
  );

  return (
    <>
      <PageHeader
        title="Deliveries"
        subtitle="Every delivery the log holds, newest first: search by endpoint, status, event, resource or answer."
      />
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('deliveries', draft);
        }}
      >
        {tenants && input('tenant_id', 'Tenant', 'all')}
        {input('endpoint_id', 'Endpoint', 'ep_…')}
        <label class="field">
          <span>Status</span>
          <select
            class="input"
            name="status"
            value={draft.status ?? ''}
            onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value || undefined })}
          >
            <option value="">any</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {input('name', 'Event name', 'order.* or order.filled')}
        {input('resource_id', 'Resource', 'ord_…')}
        {input('http_status', 'Last HTTP status', '503')}
        {time('since', 'Since')}
        {time('until', 'Until')}
        <button type="submit" class="button">
          Search
        </button>
        {filterKey !== '{}' && (
          <button
            type="button"
            class="button button-quiet"
            onClick={() => {
              setDraft({});
              navigate('deliveries');
            }}
          >
            Clear
          </button>
        )}
      </form>
      <section class="card">
        <ErrorBox error={list.error} />
        {list.data &&
          (list.data.data.length === 0 ? (
            <p class="empty">
              No delivery{filterKey !== '{}' ? ' matches these filters' : ' yet'}.
            </p>
          ) : (
            <DeliveryTable deliveries={list.data.data} />
          ))}
        <Pager cursor={cursor} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
