import type { Delivery } from '../api/types';
import { attemptResult } from '../components/delivery-table';
import { ErrorBox } from '../components/error-box';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { TraceId } from '../components/trace-id';
import { formatDuration } from '../format';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { href } from '../routing';
import { useSession } from '../session/session';

/** One delivery with every attempt, and delivering it again. */
export function DeliveryPage({ id }: { id: string }) {
  const { api } = useSession();
  const path = `/v1/deliveries/${encodeURIComponent(id)}`;
  const delivery = usePoll(() => api.get<Delivery>(path), [id]);
  const d = delivery.data;

  return (
    <>
      <PageHeader
        title="Delivery"
        subtitle={
          <>
            <span class="mono">{id}</span> {d && <StatusBadge status={d.status} />}
          </>
        }
      >
        {d && (
          <button
            type="button"
            class="button button-primary"
            onClick={() =>
              void act(
                () => api.post<Delivery>(`${path}/retry`),
                (r) => `Retrying ${r.id}: it is ${r.status} again, with a fresh attempt budget.`,
              ).then(delivery.reload)
            }
          >
            Retry now
          </button>
        )}
      </PageHeader>
      <ErrorBox error={delivery.error} />
      {d && (
        <>
          <section class="card">
            <dl class="details">
              <div>
                <dt>Event</dt>
                <dd>
                  {d.event_id ? (
                    <a class="mono" href={href(`events/${d.event_id}`)}>
                      {d.event_id}
                    </a>
                  ) : (
                    <span class="muted">a test send</span>
                  )}
                </dd>
              </div>
              {d.trace_id && (
                <div>
                  <dt>Trace</dt>
                  <dd>
                    <TraceId id={d.trace_id} />
                  </dd>
                </div>
              )}
              <div>
                <dt>Endpoint</dt>
                <dd>
                  <a class="mono" href={href(`endpoints/${d.endpoint_id}`)}>
                    {d.endpoint_id}
                  </a>
                </dd>
              </div>
              <div>
                <dt>Created</dt>
                <dd>
                  <Time iso={d.created_at} />
                </dd>
              </div>
              <div>
                <dt>Next attempt</dt>
                <dd>
                  <Time iso={d.next_attempt_at} />
                </dd>
              </div>
            </dl>
          </section>
          <section class="card">
            <h2>Attempts</h2>
            {d.attempts.length === 0 ? (
              <p class="empty">No attempt yet.</p>
            ) : (
              <table class="table attempts">
                <thead>
                  <tr>
                    <th class="num">#</th>
                    <th>Time</th>
                    <th class="num">Duration</th>
                    <th>Result</th>
                    <th>Response</th>
                  </tr>
                </thead>
                <tbody>
                  {d.attempts.map((a) => (
                    <tr key={a.number} data-attempt={a.number}>
                      <td class="num">{a.number}</td>
                      <td>
                        <Time iso={a.at} />
                      </td>
                      <td class="num">{formatDuration(a.duration_ms)}</td>
                      <td class={a.status_code !== null && a.status_code < 300 ? 'ok' : 'bad'}>
                        {attemptResult(a)}
                      </td>
                      <td>
                        {a.response_excerpt ? (
                          <pre class="excerpt">{a.response_excerpt}</pre>
                        ) : (
                          <span class="muted">—</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
