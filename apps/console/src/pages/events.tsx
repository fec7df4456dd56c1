import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error';
import { listEvents } from '../api/event-deliveries';
import { ErrorBox } from '../components/error-box';
import { TextFilter, TimeFilter } from '../components/filter-fields';
import { EventTable } from '../components/event-table';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { PublishForm } from '../components/publish-form';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { navigate, type Route } from '../routing';
import { showsTenants } from '../session/identity';
import { useSession } from '../session/session';

const FILTERS = ['tenant_id', 'name', 'resource_id', 'after', 'before'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function OpenById() {
  const [id, setId] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) navigate(`events/${id.trim()}`);
      }}
    >
      <input
        class="input mono"
        name="event_id"
        placeholder="evt_…"
        aria-label="event id"
        value={id}
        onInput={(e) => setId(e.currentTarget.value)}
      />
      <button type="submit" class="button">
        Open
      </button>
    </form>
  );
}

/** Events, newest first, filtered by tenant, name (or prefix), resource and time; operators can publish one. */
export function EventsPage({ route }: { route: Route }) {
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
    () => listEvents(api, { ...filters, cursor: cursor.current, limit: 25 }),
    [filterKey, cursor.current],
  );
  const [draft, setDraft] = useState<Filters>(filters);
  // A link to other filters (a tenant's "Events") lands on this page already open.
  useEffect(() => setDraft(filters), [filterKey]);
  const [publishing, setPublishing] = useState(false);
  const missing = list.error instanceof ApiError && list.error.noRoute;

  const input = (name: keyof Filters, label: string, placeholder: string) => (
    <TextFilter
      name={name}
      label={label}
      placeholder={placeholder}
      draft={draft}
      setDraft={setDraft}
    />
  );
  const time = (name: 'after' | 'before', label: string) => (
    <TimeFilter name={name} label={label} draft={draft} setDraft={setDraft} />
  );

  return (
    <>
      <PageHeader title="Events" subtitle="What was published, newest first, and where it went.">
        <OpenById />
        {identity.kind === 'operator' && (
          <button
            type="button"
            class="button button-primary"
            onClick={() => setPublishing(!publishing)}
          >
            {publishing ? 'Close' : 'Publish event'}
          </button>
        )}
      </PageHeader>

      {publishing && (
        <section class="card">
          <h2>Publish an event</h2>
          <PublishForm
            askTenant={tenants}
            onCancel={() => setPublishing(false)}
            onPublish={async (body) => {
              const published = await act(
                () => api.post<{ id: string; deliveries: number }>('/v1/events', body),
                (r) =>
                  `Published ${r.id} to ${r.deliveries} endpoint${r.deliveries === 1 ? '' : 's'}.`,
              );
              if (published) list.reload();
            }}
          />
        </section>
      )}

      {!missing && (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            navigate('events', draft);
          }}
        >
          {tenants && input('tenant_id', 'Tenant', 'all')}
          {input('name', 'Name', 'order.* or order.filled')}
          {input('resource_id', 'Resource', 'ord_…')}
          {time('after', 'After')}
          {time('before', 'Before')}
          <button type="submit" class="button">
            Filter
          </button>
          {filterKey !== '{}' && (
            <button
              type="button"
              class="button button-quiet"
              onClick={() => {
                setDraft({});
                navigate('events');
              }}
            >
              Clear
            </button>
          )}
        </form>
      )}

      <section class="card">
        {missing ? (
          <p class="empty">
            This Hookline server does not list events yet (no <code>GET /v1/events</code>). Open an
            event by its id above, or from a delivery.
          </p>
        ) : (
          <ErrorBox error={list.error} />
        )}
        {list.data &&
          (list.data.data.length === 0 ? (
            <p class="empty">No event{filterKey !== '{}' ? ' matches these filters' : ' yet'}.</p>
          ) : (
            <EventTable events={list.data.data} tenants={tenants} />
          ))}
        <Pager cursor={cursor} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
