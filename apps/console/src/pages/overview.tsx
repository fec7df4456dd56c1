import type { Delivery, Page } from '../api/types';
import { ActivityChart } from '../components/activity-chart';
import { DeliveryTable } from '../components/delivery-table';
import { ErrorBox } from '../components/error-box';
import { EventTable } from '../components/event-table';
import { PageHeader } from '../components/page-header';
import { usePoll } from '../hooks/use-poll';
import { loadOverview } from '../load-overview';
import { href } from '../routing';
import { showsTenants } from '../session/identity';
import { useSession } from '../session/session';

/** How many of the latest events the overview lists (of those the figures are taken over). */
const LATEST_EVENTS = 5;

/** Live figures, the latest events and the latest dead deliveries. */
export function OverviewPage() {
  const { api, identity } = useSession();
  // One poll for the figures and the latest events: the success ratio already reads the
  // latest events with their deliveries, and the list shows the first of them.
  const overview = usePoll(() => loadOverview(api, identity), []);
  const figures = overview.data?.figures;
  // Undefined on an older server, which lists no events: the overview goes without.
  const latest = overview.data?.events?.slice(0, LATEST_EVENTS);
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
      <ErrorBox error={overview.error} />
      <div class="figures">
        {(figures ?? []).map((f) => (
          <div key={f.label} class={`card figure figure-${f.tone}`} data-figure={f.label}>
            <div class="figure-label">{f.label}</div>
            <div class="figure-value">{f.value}</div>
            <div class="figure-note">{f.note}</div>
          </div>
        ))}
        {!figures && !overview.error && <div class="card figure muted">Loading…</div>}
      </div>

      <ActivityChart />

      {latest && (
        <section class="card">
          <div class="card-header">
            <h2>Latest events</h2>
            <a href={href('events')}>All events →</a>
          </div>
          {latest.length === 0 ? (
            <p class="empty">No event yet.</p>
          ) : (
            <EventTable events={latest} tenants={showsTenants(identity)} />
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
