import type { Attempt, DeliveryStatus } from '@hookline/api';
import { deliveryIdFor, newId } from '../src/ids';
import type { DeliveryChanged, EventAccepted } from '../src/log/changes';
import {
  createPostgresLogStore,
  type PostgresLogStore,
  type PostgresLogStoreOptions,
} from '../src/log/postgres/postgres-log-store';
import { createTestLog, type TestLog } from '../src/testing-log';

// Changes as the change stream carries them, for the log store's tests. Versions come from one
// counter, so a change made later in a test is newer, as it would be in its shard's stream.

let sequence = 0;

export function nextVersion(): string {
  sequence += 1;
  return `${Date.now()}-${sequence}`;
}

export interface EventOptions {
  at?: number;
  name?: string;
  tenant_id?: string | null;
  resource?: { id: string; resource_type: string };
  test?: boolean;
  traceparent?: string | null;
  endpoints?: string[];
}

export function eventChange(options: EventOptions = {}): EventAccepted {
  const at = options.at ?? Date.now();
  const id = newId('evt', at);
  const name = options.name ?? 'order.filled';
  const body = JSON.stringify({
    id,
    name,
    ...(options.resource ? { resource: options.resource } : {}),
    data: { total: 42 },
    created_at: new Date(at).toISOString(),
  });
  return {
    kind: 'event',
    version: nextVersion(),
    id,
    name,
    tenant_id: options.tenant_id ?? null,
    resource_id: options.resource?.id ?? null,
    resource_type: options.resource?.resource_type ?? null,
    created_at: at,
    body,
    test: options.test ?? false,
    traceparent: options.traceparent ?? null,
    deliveries: (options.endpoints ?? []).map((endpoint_id) => ({
      id: deliveryIdFor(id, endpoint_id),
      endpoint_id,
    })),
    lined: [],
  };
}

export interface DeliveryOptions {
  status: DeliveryStatus;
  attempts?: number;
  /** The attempt this change records: its outcome (numbered `attempts`). */
  attempt?: Pick<Attempt, 'status_code' | 'error'>;
  next_attempt_at?: number | null;
  dead_letter?: boolean;
  at?: number;
}

/** A change of the delivery of `event` to `endpointId`. */
export function deliveryChange(
  event: EventAccepted,
  endpointId: string,
  options: DeliveryOptions,
): DeliveryChanged {
  const at = options.at ?? event.created_at + 1_000;
  const attempts = options.attempts ?? (options.attempt ? 1 : 0);
  return {
    kind: 'delivery',
    version: nextVersion(),
    id: deliveryIdFor(event.id, endpointId),
    event_id: event.id,
    endpoint_id: endpointId,
    tenant_id: event.tenant_id,
    event_name: event.name,
    resource_id: event.resource_id,
    test: event.test,
    created_at: event.created_at,
    status: options.status,
    attempts,
    next_attempt_at: options.next_attempt_at ?? null,
    at,
    dead_letter: options.dead_letter ?? false,
    attempt: options.attempt
      ? {
          number: attempts,
          at: new Date(at).toISOString(),
          duration_ms: 12.5,
          status_code: options.attempt.status_code,
          error: options.attempt.error,
          response_excerpt:
            options.attempt.status_code === null ? '' : `status ${options.attempt.status_code}`,
        }
      : null,
  };
}

/** A fresh endpoint id (each test searches its own, so tests in a file do not see each other's). */
export function anEndpoint(): string {
  return newId('ep');
}

/** A fresh tenant id. */
export function aTenant(): string {
  return `tenant_${newId('ep').slice(3)}`;
}

/**
 * A store on a database of the test file's own: created and migrated before the file's tests,
 * dropped after them. Read `store` and `url` inside tests (they are set by `beforeAll`).
 */
export function logStoreOfFile(
  label: string,
  options?: PostgresLogStoreOptions,
): { readonly store: PostgresLogStore; readonly url: string } {
  let log: TestLog | undefined;
  let store: PostgresLogStore | undefined;
  beforeAll(async () => {
    log = await createTestLog(label);
    store = createPostgresLogStore(log.url, options);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await log?.drop();
  });
  return {
    get store() {
      if (!store) throw new Error('the store is made by beforeAll');
      return store;
    },
    get url() {
      if (!log) throw new Error('the database is made by beforeAll');
      return log.url;
    },
  };
}
