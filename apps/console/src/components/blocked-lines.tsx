import type { BlockedLine, OrderingKey } from '../api/types';
import { usePoll } from '../hooks/use-poll';
import { href } from '../routing';
import { useSession } from '../session/session';
import { ErrorBox } from './error-box';
import { Time } from './time';

/** What a line's empty key value stands for: every delivery of the endpoint, or events without one. */
const EMPTY_VALUE: Record<OrderingKey, string> = {
  endpoint: '(whole endpoint)',
  resource: '(no resource)',
  tenant: '(no tenant)',
};

function LineValue({ line }: { line: BlockedLine }) {
  if (line.value === '') return <span class="muted">{EMPTY_VALUE[line.key]}</span>;
  return <span class="mono break">{line.value}</span>;
}

/**
 * An ordered endpoint's blocked lines: each held up by a head delivery that failed and waits for
 * its retry, with how many wait behind it. Polled like the rest of the page, so a line is seen
 * clearing once its head is delivered or dead.
 */
export function BlockedLines({ endpointId }: { endpointId: string }) {
  const { api } = useSession();
  const lines = usePoll(
    () =>
      api.get<{ data: BlockedLine[] }>(
        `/v1/endpoints/${encodeURIComponent(endpointId)}/blocked-lines`,
      ),
    [endpointId],
  );
  return (
    <section class="card blocked-lines">
      <h2>Blocked lines</h2>
      <ErrorBox error={lines.error} what="blocked lines" />
      {lines.data &&
        (lines.data.data.length === 0 ? (
          <p class="empty">No blocked lines.</p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Line</th>
                <th>Head delivery</th>
                <th class="num">Waiting</th>
                <th>Blocked since</th>
              </tr>
            </thead>
            <tbody>
              {lines.data.data.map((line) => (
                <tr key={`${line.key} ${line.value}`} data-line={line.value}>
                  <td>
                    <LineValue line={line} />
                  </td>
                  <td>
                    <a class="mono" href={href(`deliveries/${line.head_delivery_id}`)}>
                      {line.head_delivery_id}
                    </a>
                  </td>
                  <td class="num">{line.waiting}</td>
                  <td>
                    <Time iso={line.blocked_since} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
