import { useEffect, useState } from 'preact/hooks';
import type { Delivery, Page } from '../api/types';
import { ConfirmButton } from '../components/confirm-button';
import { DeliveryTable } from '../components/delivery-table';
import { ErrorBox } from '../components/error-box';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { plural } from '../format';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { replayIds, replayMatching, type DeadLetterFilter } from '../replay';
import { navigate, type Route } from '../routing';
import { showsTenants } from '../session/identity';
import { useSession } from '../session/session';

/** Deliveries that used every attempt: filter, choose, replay. */
export function DeadLetterPage({ route }: { route: Route }) {
  const { api, identity } = useSession();
  const tenants = showsTenants(identity);
  const filter: DeadLetterFilter = {
    endpoint_id: route.query.get('endpoint_id') || undefined,
    tenant_id: (tenants && route.query.get('tenant_id')) || undefined,
  };
  const filterKey = JSON.stringify(filter);
  const cursor = useCursor(filterKey);
  const list = usePoll(
    () =>
      api.get<Page<Delivery>>('/v1/dead-letter', { ...filter, cursor: cursor.current, limit: 50 }),
    [filterKey, cursor.current],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [draft, setDraft] = useState(filter);
  useEffect(() => {
    setSelected(new Set());
    setDraft(filter);
  }, [filterKey]);

  const shown = list.data?.data ?? [];
  // Replayed deliveries leave the list on the next poll: keep only what is still shown.
  const chosen = [...selected].filter((id) => shown.some((d) => d.id === id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const toggleAll = () =>
    setSelected(
      shown.every((d) => selected.has(d.id)) ? new Set() : new Set(shown.map((d) => d.id)),
    );
  const filtered = filterKey !== '{}';

  return (
    <>
      <PageHeader
        title="Dead letter"
        subtitle="Deliveries that used every attempt. Replaying sends them again now, with a fresh attempt budget."
      >
        <button
          type="button"
          class="button button-primary"
          disabled={chosen.length === 0}
          onClick={() =>
            void act(
              () => replayIds(api, chosen),
              (n) => `Replayed ${plural(n, 'delivery', 'deliveries')}.`,
            ).then(() => {
              setSelected(new Set());
              list.reload();
            })
          }
        >
          Replay selected ({chosen.length})
        </button>
        <ConfirmButton
          question={
            filtered
              ? 'Replay every delivery that matches the filters?'
              : 'Replay the whole dead letter?'
          }
          disabled={shown.length === 0}
          onConfirm={() =>
            act(
              () => replayMatching(api, filter),
              (n) => `Replayed ${plural(n, 'delivery', 'deliveries')}.`,
            ).then(list.reload)
          }
        >
          {filtered ? 'Replay all matching' : 'Replay all'}
        </ConfirmButton>
      </PageHeader>

      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('dead-letter', {
            endpoint_id: draft.endpoint_id?.trim(),
            tenant_id: draft.tenant_id?.trim(),
          });
        }}
      >
        <label class="field">
          <span>Endpoint</span>
          <input
            class="input mono"
            name="endpoint_id"
            placeholder="ep_… (all)"
            value={draft.endpoint_id ?? ''}
            onInput={(e) => setDraft({ ...draft, endpoint_id: e.currentTarget.value })}
          />
        </label>
        {tenants && (
          <label class="field">
            <span>Tenant</span>
            <input
              class="input mono"
              name="tenant_id"
              placeholder="all"
              value={draft.tenant_id ?? ''}
              onInput={(e) => setDraft({ ...draft, tenant_id: e.currentTarget.value })}
            />
          </label>
        )}
        <button type="submit" class="button">
          Filter
        </button>
        {filtered && (
          <button
            type="button"
            class="button button-quiet"
            onClick={() => {
              setDraft({});
              navigate('dead-letter');
            }}
          >
            Clear
          </button>
        )}
      </form>

      <section class="card">
        <ErrorBox error={list.error} />
        {list.data &&
          (shown.length === 0 ? (
            <p class="empty">Nothing in the dead letter{filtered ? ' for these filters' : ''}.</p>
          ) : (
            <DeliveryTable
              deliveries={shown}
              showStatus={false}
              selection={{ selected, toggle, toggleAll }}
            />
          ))}
        <Pager cursor={cursor} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
