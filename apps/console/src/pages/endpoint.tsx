import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error';
import type { Delivery, Endpoint, EndpointAuthView, Page } from '../api/types';
import { ActivityChart } from '../components/activity-chart';
import { BlockedLines } from '../components/blocked-lines';
import { ConfirmButton } from '../components/confirm-button';
import { DeliveryTable } from '../components/delivery-table';
import { EndpointForm } from '../components/endpoint-form';
import { ErrorBox } from '../components/error-box';
import { PageHeader } from '../components/page-header';
import { Pager } from '../components/pager';
import { EnabledBadge } from '../components/status-badge';
import { typeLabel, typeOf } from '../endpoint-type';
import { lineOf, orderingOf } from '../ordering';
import { StatusTabs } from '../components/status-tabs';
import { TestSendForm } from '../components/test-send-form';
import { Time } from '../components/time';
import { useCursor } from '../hooks/use-cursor';
import { usePoll } from '../hooks/use-poll';
import { act } from '../notices';
import { href, navigate, type Route } from '../routing';
import { useSession } from '../session/session';

type Panel = 'edit' | 'test' | undefined;

/** The endpoint's authentication to its receiver, without its secrets (the API has none to show). */
function AuthDetails({ auth }: { auth: EndpointAuthView | null }) {
  if (auth === null) return <span class="muted">none (signature only)</span>;
  if (auth.type === 'client_certificate')
    return (
      <span>
        client certificate, SHA-256 <span class="mono break">{auth.certificate_fingerprint}</span>,
        expires <Time iso={auth.not_after} />
      </span>
    );
  return (
    <span>
      OAuth 2.0 client credentials: client <span class="mono">{auth.client_id}</span> at{' '}
      <span class="mono break">{auth.token_url}</span>
      {auth.scope !== null && (
        <>
          , scope <span class="mono">{auth.scope}</span>
        </>
      )}
      {auth.audience !== null && (
        <>
          , audience <span class="mono">{auth.audience}</span>
        </>
      )}
    </span>
  );
}

/** The rows of its type's configuration: where a broker endpoint publishes, how an HTTP one authenticates. */
function typeRows(endpoint: Endpoint): [string, ComponentChildren][] {
  const type = typeOf(endpoint);
  const mono = (text: string) => <span class="mono break">{text}</span>;
  switch (type) {
    case 'http':
      return [['Authentication', <AuthDetails auth={endpoint.auth ?? null} />]];
    case 'rabbitmq':
      return [
        ['Broker', mono(endpoint.url)],
        [
          'Exchange',
          endpoint.exchange ? (
            mono(endpoint.exchange)
          ) : (
            <span class="muted">the default exchange</span>
          ),
        ],
        ['Routing key', mono(endpoint.routing_key ?? '')],
      ];
    case 'nats':
      return [
        ['Servers', mono(endpoint.url)],
        ['Subject', mono(endpoint.subject ?? '')],
      ];
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** Whether its deliveries go in order, and what one line is. */
function Ordering({ endpoint }: { endpoint: Endpoint }) {
  const key = orderingOf(endpoint);
  if (key === null) return <span class="muted">none (any order)</span>;
  return (
    <span>
      <span class="mono">{key}</span>: {lineOf(key)}, one delivery at a time
    </span>
  );
}

function Details({ endpoint }: { endpoint: Endpoint }) {
  const rows: [string, ComponentChildren][] = [
    ['Type', typeLabel(typeOf(endpoint))],
    ...typeRows(endpoint),
    ['Description', endpoint.description || <span class="muted">—</span>],
    [
      'Event types',
      endpoint.event_types.length ? (
        <span class="mono">{endpoint.event_types.join(', ')}</span>
      ) : (
        <span class="muted">all</span>
      ),
    ],
    [
      'Rate limit',
      endpoint.rate_limit === null ? <span class="muted">none</span> : `${endpoint.rate_limit} / s`,
    ],
    ['Ordering', <Ordering endpoint={endpoint} />],
    [
      'Signature',
      endpoint.signature === 'v1a' ? (
        <span>
          v1a (ed25519), public key <span class="mono break">{endpoint.public_key}</span>
        </span>
      ) : (
        'v1 (HMAC)'
      ),
    ],
    [
      'Legacy signature header',
      endpoint.legacy_signature_header ? (
        <span class="mono">{endpoint.legacy_signature_header}</span>
      ) : (
        <span class="muted">none</span>
      ),
    ],
    [
      'Headers',
      Object.keys(endpoint.headers).length ? (
        <span class="mono">
          {Object.entries(endpoint.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ')}
        </span>
      ) : (
        <span class="muted">none</span>
      ),
    ],
    ['Created', <Time iso={endpoint.created_at} />],
    ['Updated', <Time iso={endpoint.updated_at} />],
  ];
  if (endpoint.tenant_id !== undefined)
    rows.unshift(['Tenant', endpoint.tenant_id ?? <span class="muted">none</span>]);
  return (
    <dl class="details">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One endpoint: what it is, what can be done to it, and its deliveries. */
export function EndpointPage({ id, route }: { id: string; route: Route }) {
  const { api } = useSession();
  const path = `/v1/endpoints/${encodeURIComponent(id)}`;
  const endpoint = usePoll(() => api.get<Endpoint>(path), [id]);
  const status = route.query.get('status') ?? undefined;
  const cursor = useCursor(`${id} ${status ?? ''}`);
  const deliveries = usePoll(
    () =>
      api.get<Page<Delivery>>(`${path}/deliveries`, { status, cursor: cursor.current, limit: 25 }),
    [id, status, cursor.current],
  );
  const [panel, setPanel] = useState<Panel>();
  const e = endpoint.data;
  // No such endpoint (or another tenant's): one error says so, not one per section.
  const unknown = !e && endpoint.error instanceof ApiError && endpoint.error.status === 404;

  return (
    <>
      <PageHeader
        title={<span class="mono break">{e?.url ?? id}</span>}
        subtitle={
          <>
            <span class="mono">{id}</span> {e && <EnabledBadge disabled={e.disabled} />}
          </>
        }
      >
        {e && (
          <>
            <button
              type="button"
              class="button"
              onClick={() => setPanel(panel === 'edit' ? undefined : 'edit')}
            >
              Edit
            </button>
            <button
              type="button"
              class="button"
              disabled={e.disabled}
              title={e.disabled ? 'enable the endpoint to send it a test' : undefined}
              onClick={() => setPanel(panel === 'test' ? undefined : 'test')}
            >
              Send test
            </button>
            <button
              type="button"
              class="button"
              onClick={() =>
                void act(
                  () => api.patch<Endpoint>(path, { disabled: !e.disabled }),
                  (u) => `${u.disabled ? 'Disabled' : 'Enabled'} ${u.id}.`,
                ).then(endpoint.reload)
              }
            >
              {e.disabled ? 'Enable' : 'Disable'}
            </button>
            <button
              type="button"
              class="button"
              onClick={() =>
                void act(
                  () => api.get<{ key: string }>(`${path}/secret`),
                  (s) => ({
                    text: s.key.startsWith('whpk_') ? 'The public key:' : 'The signing secret:',
                    value: s.key,
                  }),
                )
              }
            >
              {e.signature === 'v1a' ? 'Show public key' : 'Show secret'}
            </button>
            <ConfirmButton
              question="Rotate? The old secret keeps signing for the grace period."
              onConfirm={() =>
                act(
                  () => api.post<{ key: string }>(`${path}/secret/rotate`),
                  (s) => ({
                    text: `Rotated. The new ${s.key.startsWith('whpk_') ? 'public key' : 'secret'} (the old one still signs beside it for the grace period):`,
                    value: s.key,
                  }),
                )
              }
            >
              Rotate secret
            </ConfirmButton>
            <ConfirmButton
              danger
              question="Delete it and drop its pending deliveries?"
              onConfirm={async () => {
                const done = await act(
                  () => api.delete(path).then(() => true),
                  () => `Deleted ${id}.`,
                );
                if (done) navigate('endpoints');
              }}
            >
              Delete
            </ConfirmButton>
          </>
        )}
      </PageHeader>

      <ErrorBox error={endpoint.error} />

      {e && panel === 'edit' && (
        <section class="card">
          <h2>Edit</h2>
          <EndpointForm
            initial={e}
            askTenant={false}
            submitLabel="Save"
            onCancel={() => setPanel(undefined)}
            onSubmit={async (input) => {
              const saved = await act(
                () => api.patch<Endpoint>(path, input),
                (u) => `Saved ${u.id}.`,
              );
              if (saved) {
                setPanel(undefined);
                endpoint.reload();
              }
              return saved !== undefined;
            }}
          />
        </section>
      )}

      {e && panel === 'test' && (
        <section class="card">
          <h2>Send a test</h2>
          <p class="muted">
            One delivery to this endpoint alone, signed like any other, without Event-Id.
          </p>
          <TestSendForm
            onCancel={() => setPanel(undefined)}
            onSend={async (body) => {
              const sent = await act(
                () => api.post<{ id: string }>(`${path}/test`, body),
                (r) => `Test sent (event ${r.id}): its delivery appears below.`,
              );
              if (sent) {
                setPanel(undefined);
                deliveries.reload();
              }
            }}
          />
        </section>
      )}

      {e && (
        <section class="card">
          <Details endpoint={e} />
        </section>
      )}

      {e && orderingOf(e) !== null && <BlockedLines endpointId={id} />}

      {!unknown && <ActivityChart endpointId={id} />}

      {!unknown && (
        <section class="card">
          <div class="card-header">
            <h2>Deliveries</h2>
            <a href={href('dead-letter', { endpoint_id: id })}>Its dead letter →</a>
          </div>
          <StatusTabs value={status} onChange={(s) => navigate(`endpoints/${id}`, { status: s })} />
          <ErrorBox error={deliveries.error} />
          {deliveries.data &&
            (deliveries.data.data.length === 0 ? (
              <p class="empty">No {status ?? ''} delivery.</p>
            ) : (
              <DeliveryTable deliveries={deliveries.data.data} showEndpoint={false} />
            ))}
          <Pager cursor={cursor} next={deliveries.data?.next_cursor} />
        </section>
      )}
    </>
  );
}
