import type { HooklineEvent } from '../api/types';
import { countStatuses } from '../figures/success-ratio';
import { href } from '../routing';
import { Time } from './time';

/** `2 delivered · 1 dead`: an event's deliveries by status. */
export function DeliveriesSummary({ event }: { event: HooklineEvent }) {
  if (!event.deliveries) return <span class="muted">—</span>;
  if (event.deliveries.length === 0) return <span class="muted">no endpoint</span>;
  const counts = countStatuses(event.deliveries.map((d) => d.status));
  return (
    <span class="summary">
      {(Object.entries(counts) as [string, number][])
        .filter(([, n]) => n > 0)
        .map(([status, n]) => (
          <span key={status} class={`badge badge-${status}`}>
            {n} {status}
          </span>
        ))}
    </span>
  );
}

export function EventTable({ events, tenants }: { events: HooklineEvent[]; tenants: boolean }) {
  return (
    <table class="table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Event</th>
          {tenants && <th>Tenant</th>}
          <th>Deliveries</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-event={e.id}>
            <td>
              <strong>{e.name}</strong>
            </td>
            <td>
              <a class="mono" href={href(`events/${e.id}`)}>
                {e.id}
              </a>
            </td>
            {tenants && <td>{e.tenant_id ?? <span class="muted">—</span>}</td>}
            <td>
              <DeliveriesSummary event={e} />
            </td>
            <td>
              <Time iso={e.created_at} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
