import { useState } from 'preact/hooks';
import type { Endpoint, EndpointAuthInput, EndpointType, OrderingKey } from '../api/types';
import { ENDPOINT_TYPES, typeOf } from '../endpoint-type';
import { ORDERING_KEYS, orderingOf } from '../ordering';
import { useAuthFields } from './auth-fields';
import { useBrokerFields, type BrokerInput } from './broker-fields';

/** What the form edits, as the API takes it. */
export interface EndpointInput extends BrokerInput {
  /** On creation only: it never changes. */
  type?: EndpointType;
  /** Absent (editing a broker endpoint): the stored URL stays, with its credentials. */
  url?: string;
  description: string;
  event_types: string[];
  rate_limit: number | null;
  /** Absent (editing): left as it is; null: unordered. */
  ordering?: { key: OrderingKey } | null;
  legacy_signature_header: string | null;
  tenant_id?: string;
  /** On creation only: it never changes. */
  signature?: 'v1' | 'v1a';
  /** HTTP only. Absent: left as it is (editing); null: none. */
  auth?: EndpointAuthInput | null;
}

/** The URL field as each type names and explains it. */
const URL_FIELD: Record<EndpointType, { label: string; placeholder: string }> = {
  http: { label: 'URL', placeholder: 'https://example.com/webhooks' },
  rabbitmq: { label: 'Broker URL', placeholder: 'amqps://user:password@mq.example.com:5671/vhost' },
  nats: {
    label: 'NATS servers (comma-separated)',
    placeholder: 'tls://user:password@n1.example.com:4222,tls://n2.example.com:4222',
  },
};

const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Create or edit an endpoint. Validation is the API's: what it refuses comes back with the
 * field's path and is shown as the action's result.
 */
export function EndpointForm({
  initial,
  askTenant,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: Endpoint;
  /** Offer a tenant id (an operator creating an endpoint, on a server with tenants). */
  askTenant: boolean;
  submitLabel: string;
  onSubmit: (input: EndpointInput) => Promise<boolean>;
  onCancel?: () => void;
}) {
  const [type, setType] = useState<EndpointType>(initial ? typeOf(initial) : 'http');
  // A broker URL is shown without its credentials: editing starts empty, and empty keeps it.
  const keepsUrl = initial !== undefined && type !== 'http';
  const [url, setUrl] = useState(keepsUrl ? '' : (initial?.url ?? ''));
  const [description, setDescription] = useState(initial?.description ?? '');
  const [eventTypes, setEventTypes] = useState(initial?.event_types.join(', ') ?? '');
  const [rateLimit, setRateLimit] = useState(initial?.rate_limit?.toString() ?? '');
  const initialOrdering = initial ? orderingOf(initial) : null;
  const [ordering, setOrdering] = useState<OrderingKey | ''>(initialOrdering ?? '');
  const [legacy, setLegacy] = useState(initial?.legacy_signature_header ?? '');
  const [tenant, setTenant] = useState('');
  const [signature, setSignature] = useState<'v1' | 'v1a'>('v1');
  const [busy, setBusy] = useState(false);
  const auth = useAuthFields(initial !== undefined);
  const broker = useBrokerFields(type, initial);

  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        const input: EndpointInput = {
          ...(initial ? {} : { type }),
          ...(keepsUrl && url.trim() === '' ? {} : { url: url.trim() }),
          ...broker.value(),
          description,
          event_types: splitList(eventTypes),
          rate_limit: rateLimit.trim() === '' ? null : Number(rateLimit),
          // Sent only when chosen: a change of ordering re-lines the deliveries published after
          // it, and an edit of another setting should not touch it.
          ...((ordering || null) === initialOrdering
            ? {}
            : { ordering: ordering ? { key: ordering } : null }),
          legacy_signature_header: legacy.trim() === '' ? null : legacy.trim(),
          ...(askTenant && tenant.trim() ? { tenant_id: tenant.trim() } : {}),
          ...(initial ? {} : { signature }),
        };
        const authValue = type === 'http' ? auth.value() : undefined;
        if (authValue !== undefined) input.auth = authValue;
        void onSubmit(input).then((done) => {
          setBusy(false);
          if (done && !initial) {
            setUrl('');
            setDescription('');
            setEventTypes('');
            setRateLimit('');
            setOrdering('');
            setLegacy('');
            setTenant('');
            setSignature('v1');
            setType('http');
          }
          if (done) {
            auth.reset();
            broker.reset();
          }
        });
      }}
    >
      <div class="form-grid">
        {!initial && (
          <label class="field field-wide">
            <span>Type</span>
            <select
              class="input"
              name="type"
              value={type}
              onChange={(e) => setType(e.currentTarget.value as EndpointType)}
            >
              {ENDPOINT_TYPES.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field field-wide">
          <span>{URL_FIELD[type].label}</span>
          <input
            class="input mono"
            name="url"
            required={!keepsUrl}
            autoComplete="off"
            spellcheck={false}
            placeholder={keepsUrl ? initial.url : URL_FIELD[type].placeholder}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
          {keepsUrl && (
            <span class="hint">
              Empty keeps the current URL and its credentials; a new URL replaces both.
            </span>
          )}
          {!initial && type !== 'http' && (
            <span class="hint">The password or token in it is kept sealed, never shown again.</span>
          )}
        </label>
        {broker.fields}
        <label class="field field-wide">
          <span>Description</span>
          <input
            class="input"
            name="description"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Event types</span>
          <input
            class="input mono"
            name="event_types"
            placeholder="order.*, invoice.paid (empty: all)"
            value={eventTypes}
            onInput={(e) => setEventTypes(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Rate limit (per second)</span>
          <input
            class="input"
            name="rate_limit"
            inputMode="numeric"
            placeholder="none"
            value={rateLimit}
            onInput={(e) => setRateLimit(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Ordering</span>
          <select
            class="input"
            name="ordering"
            value={ordering}
            onChange={(e) => setOrdering(e.currentTarget.value as OrderingKey | '')}
          >
            <option value="">none: any order</option>
            {ORDERING_KEYS.map((k) => (
              <option key={k.key} value={k.key}>
                {k.key}: {k.line}
              </option>
            ))}
          </select>
          <span class="hint">
            A line's deliveries go one at a time, in the order their events were accepted
            {initial ? '; a change applies to events published from now on.' : '.'}
          </span>
        </label>
        <label class="field">
          <span>Legacy signature header</span>
          <input
            class="input mono"
            name="legacy_signature_header"
            placeholder="X-Hub-Signature-256"
            value={legacy}
            onInput={(e) => setLegacy(e.currentTarget.value)}
          />
        </label>
        {!initial && (
          <label class="field">
            <span>Signature</span>
            <select
              class="input"
              name="signature"
              value={signature}
              onChange={(e) => setSignature(e.currentTarget.value as 'v1' | 'v1a')}
            >
              <option value="v1">v1: HMAC, a shared secret</option>
              <option value="v1a">v1a: ed25519, a public key</option>
            </select>
          </label>
        )}
        {type === 'http' && auth.fields}
        {askTenant && (
          <label class="field">
            <span>Tenant</span>
            <input
              class="input mono"
              name="tenant_id"
              placeholder="none"
              value={tenant}
              onInput={(e) => setTenant(e.currentTarget.value)}
            />
          </label>
        )}
      </div>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" class="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
