// The API's JSON as the console reads it (docs/api.md). Plain types, not schemas: the server
// validates what it accepts, the console only displays what it answers, and a schema library
// would triple the bundle for nothing the user could act on.

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'delivered',
  'failed',
  'dead',
];

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** What an ordered endpoint's deliveries are lined up by: the endpoint, the event's resource, its tenant. */
export type OrderingKey = 'endpoint' | 'resource' | 'tenant';

/** Where an endpoint's deliveries go: POSTed webhooks, or messages published to a broker. */
export type EndpointType = 'http' | 'rabbitmq' | 'nats';

export interface Endpoint {
  id: string;
  /** Absent on a server without endpoint types: `http`. */
  type?: EndpointType;
  /** Absent on a server without tenants. */
  tenant_id?: string | null;
  /** A broker's URL is shown without its credentials. */
  url: string;
  description: string;
  event_types: string[];
  headers: Record<string, string>;
  rate_limit: number | null;
  /** Deliveries of one line go one at a time, in order; null: unordered (absent from older servers). */
  ordering?: { key: OrderingKey } | null;
  /** How deliveries are signed (absent from servers before v1a). */
  signature?: 'v1' | 'v1a';
  /** `v1a`: the public key receivers verify with. */
  public_key?: string | null;
  legacy_signature_header: string | null;
  disabled: boolean;
  metadata: Record<string, string>;
  /** How Hookline authenticates to the receiver, without its secrets (absent from older servers). */
  auth?: EndpointAuthView | null;
  /** `rabbitmq`: the exchange (empty: the default exchange) and routing key; null otherwise. */
  exchange?: string | null;
  routing_key?: string | null;
  /** `nats`: the JetStream subject; null otherwise. */
  subject?: string | null;
  created_at: string;
  updated_at: string;
}

export type EndpointAuthView =
  | {
      type: 'oauth2_client_credentials';
      token_url: string;
      client_id: string;
      scope: string | null;
      audience: string | null;
    }
  | { type: 'client_certificate'; certificate_fingerprint: string; not_after: string };

/** An endpoint's `auth` as the API takes it: with the client secret or the private key. */
export type EndpointAuthInput =
  | {
      type: 'oauth2_client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope: string | null;
      audience: string | null;
    }
  | { type: 'client_certificate'; certificate: string; key: string };

/**
 * `GET /v1/endpoints/:id/blocked-lines` items: a line of an ordered endpoint held up by its head
 * delivery, which failed an attempt and waits for its retry.
 */
export interface BlockedLine {
  key: OrderingKey;
  /** The event's `resource.id` or tenant id; '' for events without one, and for `endpoint`. */
  value: string;
  head_delivery_id: string;
  /** Deliveries waiting behind the head. */
  waiting: number;
  /** When the head's first attempt failed. */
  blocked_since: string;
}

export interface CreatedEndpoint extends Endpoint {
  secret: string;
}

export interface DeliverySummary {
  id: string;
  endpoint_id: string;
  status: DeliveryStatus;
  /** A count. */
  attempts: number;
}

export interface HooklineEvent {
  id: string;
  name: string;
  tenant_id?: string | null;
  resource?: { id: string; resource_type: string };
  data: unknown;
  created_at: string;
  /** The publish's trace id; null without one (absent on a server without trace ids). */
  trace_id?: string | null;
  /** On `GET /v1/events/:id`; a list may leave it out. */
  deliveries?: DeliverySummary[];
}

export interface Attempt {
  number: number;
  at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: string;
}

export interface Delivery {
  id: string;
  event_id: string | null;
  /** Its event's trace id; null without one (absent on a server without trace ids). */
  trace_id?: string | null;
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: Attempt[];
  next_attempt_at: string | null;
  created_at: string;
}

export interface TenantCounts {
  id: string;
  endpoints: number;
  pending: number;
  dead_letter: number;
}

/** `GET /v1/tenants` items: an id, or an object with one (and maybe its counts). */
export type TenantListItem = string | ({ id: string } & Partial<TenantCounts>);

export interface TenantKey {
  key: string;
  tenant_id: string;
  expires_at: string;
  portal_url: string;
}

/** `GET /v1/operator-keys` items: never a secret. */
export interface OperatorKey {
  id: string;
  name: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  rotated_at: string | null;
  previous_key_expires_at: string | null;
}

/** An operator key as created or rotated: with the key, shown once. */
export interface CreatedOperatorKey extends OperatorKey {
  key: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** `GET /v1/activity`: deliveries per minute, from the log. */
export interface ActivityBucket {
  at: string;
  delivered: number;
  failed: number;
  dead: number;
}
export interface Activity {
  window: '1h' | '24h';
  bucket_seconds: number;
  data: ActivityBucket[];
}
