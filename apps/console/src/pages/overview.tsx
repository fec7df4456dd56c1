import type { Delivery, HooklineEvent, Page } from '../api/types';
import { DeliveryTable } from '../components/delivery-table';
import { ErrorBox } from '../components/error-box';
import { EventTable } from '../components/event-table';
import { PageHeader } from '../components/page-header';
import { usePoll } from '../hooks/use-poll';
import { loadFigures } from '../load-figures';
import { href } from '../routing';
import { showsTenants } from '../session/identity';
import { useSession } from '../session/session';
import { ApiError } from '../api/api-error';

/** Live figures, the latest events and the latest dead deliveries. */
export function OverviewPage() {
  const { api, identity } = useSession();
  const figures = usePoll(() => loadFigures(api, identity), []);
  const events = usePoll(
    () =>
      api.get<Page<HooklineEvent>>('/v1/events', { limit: 5 }).catch((error: unknown) => {
        // An older server lists no events: the overview goes without.
        if (error instanceof ApiError && error.noRoute) return undefined;
        throw error;
      }),
    [],
  );
  const dead = usePoll(() => api.get<Page<Delivery>>('/v1/dead-letter', { limit: 5 }), []);

  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          identity.kind === 'operator'
            ? 'Every tenant, refreshed every few seconds.'
            : 'Your endpoints and deliveries, refreshed every few seconds.'
        }
      />
      <ErrorBox error={figures.error} />
      <div class="figures">
        {(figures.data ?? []).map((f) => (
          <div key={f.label} class={`card figure figure-${f.tone}`} data-figure={f.label}>
            <div class="figure-label">{f.label}</div>
            <div class="figure-value">{f.value}</div>
            <div class="figure-note">{f.note}</div>
          </div>
        ))}
        {!figures.data && !figures.error && <div class="card figure muted">Loading…</div>}
      </div>

      {events.data && (
        <section class="card">
          <div class="card-header">
            <h2>Latest events</h2>
            <a href={href('events')}>All events →</a>
          </div>
          <ErrorBox error={events.error} />
          {events.data.data.length === 0 ? (
            <p class="empty">No event yet.</p>
          ) : (
            <EventTable events={events.data.data} tenants={showsTenants(identity)} />
          )}
        </section>
      )}

      <section class="card">
        <div class="card-header">
          <h2>Latest in the dead letter</h2>
          <a href={href('dead-letter')}>Dead letter →</a>
        </div>
        <ErrorBox error={dead.error} />
        {dead.data &&
          (dead.data.data.length === 0 ? (
            <p class="empty">Nothing in the dead letter.</p>
          ) : (
            <DeliveryTable deliveries={dead.data.data} showStatus={false} />
          ))}
      </section>
    </>
  );
}
