import type { Attempt, Delivery } from '../api/types';
import { href } from '../routing';
import { StatusBadge } from './status-badge';
import { Time } from './time';

/** What the last attempt got: a status code, an error kind, or nothing yet. */
export function attemptResult(attempt: Attempt | undefined): string {
  if (!attempt) return '—';
  if (attempt.status_code !== null) return `HTTP ${attempt.status_code}`;
  return attempt.error ?? 'failed';
}

/** Deliveries with their last outcome; `selection` adds a checkbox to each row. */
export function DeliveryTable({
  deliveries,
  showEndpoint = true,
  showStatus = true,
  selection,
}: {
  deliveries: Delivery[];
  showEndpoint?: boolean;
  /** Off where every row has the same status (the dead letter). */
  showStatus?: boolean;
  selection?: { selected: Set<string>; toggle: (id: string) => void; toggleAll: () => void };
}) {
  const all =
    selection && deliveries.length > 0 && deliveries.every((d) => selection.selected.has(d.id));
  return (
    <table class="table">
      <thead>
        <tr>
          {selection && (
            <th class="check">
              <input
                type="checkbox"
                aria-label="select every delivery on this page"
                checked={all}
                onChange={selection.toggleAll}
              />
            </th>
          )}
          <th>Delivery</th>
          {showStatus && <th>Status</th>}
          {showEndpoint && <th>Endpoint</th>}
          <th>Event</th>
          <th class="num">Attempts</th>
          <th>Last result</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => {
          const last = d.attempts[d.attempts.length - 1];
          return (
            <tr key={d.id} data-delivery={d.id}>
              {selection && (
                <td class="check">
                  <input
                    type="checkbox"
                    aria-label={`select ${d.id}`}
                    checked={selection.selected.has(d.id)}
                    onChange={() => selection.toggle(d.id)}
                  />
                </td>
              )}
              <td>
                <a class="mono" href={href(`deliveries/${d.id}`)}>
                  {d.id}
                </a>
              </td>
              {showStatus && (
                <td>
                  <StatusBadge status={d.status} />
                </td>
              )}
              {showEndpoint && (
                <td>
                  <a class="mono" href={href(`endpoints/${d.endpoint_id}`)}>
                    {d.endpoint_id}
                  </a>
                </td>
              )}
              <td>
                {d.event_id ? (
                  <a class="mono" href={href(`events/${d.event_id}`)}>
                    {d.event_id}
                  </a>
                ) : (
                  <span class="muted">test</span>
                )}
              </td>
              <td class="num">{d.attempts.length}</td>
              <td
                class={
                  last && last.status_code !== null && last.status_code < 300
                    ? 'ok'
                    : last
                      ? 'bad'
                      : ''
                }
              >
                {attemptResult(last)}
              </td>
              <td>
                <Time iso={d.created_at} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
