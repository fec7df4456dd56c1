import type { HooklineEvent } from '../api/types';
import { ErrorBox } from '../components/error-box';
import { JsonView } from '../components/json-view';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { TraceId } from '../components/trace-id';
import { usePoll } from '../hooks/use-poll';
import { href } from '../routing';
import { useSession } from '../session/session';

/** One event: the body its receivers get, and the state of each of its deliveries. */
export function EventPage({ id }: { id: string }) {
  const { api } = useSession();
  const event = usePoll(() => api.get<HooklineEvent>(`/v1/events/${encodeURIComponent(id)}`), [id]);
  const e = event.data;
  // What receivers get is the event without the API's additions: its deliveries, the tenant it
  // was published for and its publish's trace id (never sent to an endpoint in the body).
  const { deliveries = [], tenant_id: _tenant, trace_id: _trace, ...body } = e ?? {};

  return (
    <>
      <PageHeader
        title={e?.name ?? 'Event'}
        subtitle={
          <>
            <span class="mono">{id}</span>
            {e && (
              <>
                {' · '}
                <Time iso={e.created_at} />
              </>
            )}
            {e?.tenant_id && ` · tenant ${e.tenant_id}`}
            {e?.trace_id && (
              <>
                {' · trace '}
                <TraceId id={e.trace_id} />
              </>
            )}
          </>
        }
      />
      <ErrorBox error={event.error} />
      {e && (
        <>
          <section class="card">
            <h2>Deliveries</h2>
            {deliveries.length === 0 ? (
              <p class="empty">No endpoint was subscribed to this event.</p>
            ) : (
              <table class="table">
                <thead>
                  <tr>
                    <th>Delivery</th>
                    <th>Status</th>
                    <th>Endpoint</th>
                    <th class="num">Attempts</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.id} data-delivery={d.id}>
                      <td>
                        <a class="mono" href={href(`deliveries/${d.id}`)}>
                          {d.id}
                        </a>
                      </td>
                      <td>
                        <StatusBadge status={d.status} />
                      </td>
                      <td>
                        <a class="mono" href={href(`endpoints/${d.endpoint_id}`)}>
                          {d.endpoint_id}
                        </a>
                      </td>
                      <td class="num">{d.attempts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="card">
            <h2>Body</h2>
            <p class="muted">What each endpoint receives (signed, as JSON).</p>
            <JsonView value={body} />
          </section>
        </>
      )}
    </>
  );
}
