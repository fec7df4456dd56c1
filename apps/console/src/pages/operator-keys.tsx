import { useState } from 'preact/hooks';
import type { CreatedOperatorKey, OperatorKey, Page } from '../api/types';
import { ConfirmButton } from '../components/confirm-button';
import { ErrorBox } from '../components/error-box';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { Time } from '../components/time';
import { formatTime } from '../format';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { useSession } from '../session/session';

const keyPath = (id: string) => `/v1/operator-keys/${encodeURIComponent(id)}`;

/** What a key just made or rotated says: it is shown once, so copy it now. */
const shownOnce = (made: CreatedOperatorKey, what: string) => ({
  text: `${what} ${made.name ?? made.id}${made.expires_at ? `, valid until ${formatTime(made.expires_at)}` : ''}. It is shown only now: copy it.`,
  value: made.key,
});

/** A name and a lifetime, for `POST /v1/operator-keys`. */
function CreateForm({ onCreate }: { onCreate: (body: object) => Promise<unknown> }) {
  const [name, setName] = useState('');
  const [expiresIn, setExpiresIn] = useState('');
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        const body = {
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(expiresIn.trim() ? { expires_in: expiresIn.trim() } : {}),
        };
        void onCreate(body).then((made) => {
          if (made === undefined) return;
          setName('');
          setExpiresIn('');
        });
      }}
    >
      <div class="form-grid">
        <label class="field">
          <span>Name</span>
          <input
            class="input"
            name="key_name"
            placeholder="who or what holds it"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Expires in</span>
          <input
            class="input mono"
            name="expires_in"
            placeholder="until revoked (or 90d, 12h…)"
            value={expiresIn}
            onInput={(e) => setExpiresIn(e.currentTarget.value)}
          />
        </label>
      </div>
      <div class="form-actions">
        <button type="submit" class="button button-primary">
          Create key
        </button>
      </div>
    </form>
  );
}

/**
 * Operator keys made through the API: every route, every tenant, like the bootstrap keys of
 * `HOOKLINE_API_KEYS` (which are not listed here). For operator sessions only.
 */
export function OperatorKeysPage() {
  const { api } = useSession();
  const cursor = useCursor('');
  const list = usePoll(
    () => api.get<Page<OperatorKey>>('/v1/operator-keys', { cursor: cursor.current, limit: 50 }),
    [cursor.current],
  );

  return (
    <>
      <PageHeader
        title="Operator keys"
        subtitle="Keys to every route and every tenant, made and revoked here without restarting a producer. The bootstrap keys of HOOKLINE_API_KEYS are not listed."
      />
      <section class="card">
        <CreateForm
          onCreate={(body) =>
            act(
              () => api.post<CreatedOperatorKey>('/v1/operator-keys', body),
              (made) => shownOnce(made, 'Created operator key'),
            ).then((made) => {
              list.reload();
              return made;
            })
          }
        />
      </section>
      <section class="card">
        <ErrorBox error={list.error} what="operator key" />
        {list.data &&
          (list.data.data.length === 0 ? (
            <p class="empty">No operator key made here yet.</p>
          ) : (
            <table class="table table-middle">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>Last used</th>
                  <th>Old key until</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((k) => (
                  <tr key={k.id} data-operator-key={k.id}>
                    <td>
                      <strong>{k.name ?? 'unnamed'}</strong>
                      <div class="mono muted">{k.id}</div>
                    </td>
                    <td>
                      <Time iso={k.created_at} />
                    </td>
                    <td>{k.expires_at ? <Time iso={k.expires_at} /> : 'never'}</td>
                    <td>
                      <Time iso={k.last_used_at} />
                    </td>
                    <td>
                      <Time iso={k.previous_key_expires_at} />
                    </td>
                    <td>
                      <div class="row-actions">
                        <ConfirmButton
                          question={`Rotate ${k.name ?? k.id}? The old key keeps working for the grace period.`}
                          onConfirm={() =>
                            act(
                              () => api.post<CreatedOperatorKey>(`${keyPath(k.id)}/rotate`, {}),
                              (made) => shownOnce(made, 'New key for'),
                            ).then(list.reload)
                          }
                        >
                          Rotate
                        </ConfirmButton>
                        <ConfirmButton
                          danger
                          question={`Revoke ${k.name ?? k.id}? It stops working at once.`}
                          onConfirm={() =>
                            act(
                              () => api.delete(keyPath(k.id)).then(() => true),
                              () => `Revoked ${k.name ?? k.id}.`,
                            ).then(list.reload)
                          }
                        >
                          Revoke
                        </ConfirmButton>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        <Pager cursor={cursor} next={list.data?.next_cursor} />
      </section>
    </>
  );
}
