import {
  PublishBatch,
  PublishEvent,
  openApiDocument,
  type Attempt,
  type Json,
  type OpenApiDocument,
  type TenantKey,
} from '@hookline/api';
import {
  IdempotencyStore,
  createContext,
  createLogger,
  createMetrics,
  deliveryIdFor,
  lineOf,
  loadConfig,
  metricSources,
  type HooklineContext,
  type TenantBudgetKind,
} from '@hookline/core';
import { freePort, testPrefix, TEST_REDIS_ENV } from '@hookline/core/testing';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../src/app';
import { idempotencyScope } from '../src/publish';
import { API_KEY, startApp, type Harness } from './harness';

// The OpenAPI document is proved against the app it describes: every (route, status) it declares
// is provoked here, and every answer, success or error, is validated against the schema the
// document gives that route and status. An answer with a status it does not declare fails.

// --- the document, and answers checked against it ----------------------------------------------

const doc: OpenApiDocument = openApiDocument();
const COMPONENTS = 'https://hookline.invalid/components/schemas/';

/**
 * A schema of the document as ajv checks answers with it: its component refs as the URIs ajv
 * holds each component under, and its objects closed. The document leaves response objects open
 * for fields to come; closed here, an answer carrying a field the document does not name fails,
 * so the document is complete today.
 */
function strict<T>(value: T): T {
  const rebased = JSON.parse(
    JSON.stringify(value).replaceAll('"#/components/schemas/', `"${COMPONENTS}`),
  ) as T;
  const close = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Json;
    if (schema.properties !== undefined && !('additionalProperties' in schema))
      schema.additionalProperties = false;
    Object.values(schema).forEach(close);
  };
  close(rebased);
  return rebased;
}

const ROUTE_KEYS = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
);

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
for (const [name, schema] of Object.entries(doc.components.schemas))
  ajv.addSchema(strict(schema), COMPONENTS + name);
const validators = new Map<string, ValidateFunction>();

const seen = new Set<string>();

/** Fails unless the document declares `status` for the route, and the body is what it says. */
function conform(key: string, res: request.Response): void {
  const [method, path] = key.split(' ') as [string, string];
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`${key} is not in the document`);
  const response = (operation.responses as Record<string, Json>)[String(res.status)];
  if (response === undefined) {
    throw new Error(
      `${key} answered ${res.status}, which the document does not declare: ${res.text.slice(0, 300)}`,
    );
  }
  seen.add(`${key} ${res.status}`);
  for (const header of Object.keys(response.headers ?? {}))
    expect({ [header]: res.get(header) }).toEqual({ [header]: expect.any(String) as string });
  const content = response.content as Record<string, { schema: Json }> | undefined;
  if (content === undefined) {
    expect(res.text).toBe('');
    return;
  }
  expect(res.type).toBe('application/json');
  const id = `${key} ${res.status}`;
  let validate = validators.get(id);
  if (validate === undefined) {
    validate = ajv.compile(strict(content['application/json']!.schema));
    validators.set(id, validate);
  }
  if (!validate(res.body)) {
    throw new Error(
      `${key} ${res.status}: the body breaks the document's schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`,
    );
  }
}

// --- requests ---------------------------------------------------------------------------------

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One request: a JSON body, or a raw one to break the body parser with. */
interface Call {
  method: Method;
  path: string;
  body?: unknown;
  raw?: { type: string; text: string };
  headers?: Record<string, string>;
  /** The bearer key; an operator key unless said. */
  key?: string;
}

/** The objects the requests below act on, made in `beforeAll` through the stores and the API. */
interface Fixtures {
  /** Enabled, `oa.*`: read, patched, tested, its secret rotated, its deliveries listed. */
  endpoint: string;
  /** An ordered endpoint whose line is blocked by a failed head. */
  ordered: string;
  disabled: string;
  /** Deleted by the DELETE request. */
  doomed: string;
  /** One dead delivery, recovered by the recover request. */
  recovering: string;
  /** Two dead deliveries: `deadDelivery` stays listed, `replayable` is replayed. */
  dead: string;
  deadDelivery: string;
  replayable: string;
  /** An event to `endpoint`, and its delivery, failed once. */
  event: string;
  delivery: string;
  /** A key of tenant {@link TENANT}, which has an endpoint. */
  tenantKey: string;
  /** Objects of tenant {@link OTHER}: none of them exist to `tenantKey`. */
  other: { ep: string; evt: string; whd: string };
  /** Operator keys: one rotated, one revoked. */
  operatorKey: string;
  doomedOperatorKey: string;
  /** Tenant {@link BUSY}'s key, endpoint and dead delivery: its budgets are spent before a 429. */
  busy: { key: string; ep: string; whd: string };
}

type Make = (fx: Fixtures) => Call | Promise<Call>;

/**
 * For each route: a request it answers with success, and requests for the errors that need
 * more than the success request varied. The rest is derived from `ok`: without a key (401), to an
 * app whose Redis is a closed port (503), with a broken body (400, 413, 415), with a tenant key on
 * a route for operator keys (403), and with an unknown or malformed path id, or, with a tenant
 * key, another tenant's (404).
 */
interface Scenario {
  ok: Make;
  provoke?: Partial<Record<number, Make[]>>;
}

const UNKNOWN = {
  ep: 'ep_01JH0000000000000000000000',
  evt: 'evt_01JH0000000000000000000000',
  whd: 'whd_01JH0000000000000000000000',
  opk: 'opk_01JH0000000000000000000000',
};
/** The tenant whose key the requests use, and another one. */
const TENANT = 'oa-acme';
const OTHER = 'oa-globex';
/** Deleted by the tenant DELETE request. */
const LEAVING = 'oa-leaving';
/** Its keys are revoked by the keys DELETE request. */
const REVOKED = 'oa-revoked';
/** It has the most endpoints a tenant may have ({@link MAX_ENDPOINTS}). */
const FULL = 'oa-full';
const MAX_ENDPOINTS = 5;
/** Its key's budgets a minute are spent before each request that is to be a 429. */
const BUSY = 'oa-busy';
const PATH_ID = /\b(ep|evt|whd|opk)_\w{26}/;
const FAR_PAST = '2000-01-01T00:00:00Z';

let h: Harness;
let down: { app: Express; context: HooklineContext };
let fx: Fixtures;

/** A request made while another with the same `Idempotency-Key` and body is still running: 409 after 10 s. */
async function whileRunning(route: string, inputs: PublishEvent[], call: Call): Promise<Call> {
  const scope = idempotencyScope(route, inputs);
  const key = `running-${scope}-${Math.random()}`;
  await h.context.idempotency.begin(scope, key, IdempotencyStore.fingerprint(inputs));
  return { ...call, headers: { 'Idempotency-Key': key } };
}

/** The same `Idempotency-Key` as an earlier publish, with another body: 422. */
async function reusedKey(first: Call, second: Call): Promise<Call> {
  const key = `reused-${Math.random()}`;
  const headers = { 'Idempotency-Key': key };
  await send(h.app, { ...first, headers }).expect(202);
  return { ...second, headers };
}

/** The request, with tenant {@link BUSY}'s key once its budget of `kind` is spent: 429. */
const spent =
  (kind: TenantBudgetKind, make: (busy: Fixtures['busy']) => Call): Make =>
  async ({ busy }) => {
    const perMinute =
      kind === 'retries'
        ? h.config.tenantQuotas.retriesPerMinute
        : h.config.tenantQuotas.testSendsPerMinute;
    await h.context.budgets.take(BUSY, kind, perMinute, perMinute);
    return { ...make(busy), key: busy.key };
  };

const event = { name: 'oa.published', data: { n: 1 }, resource: { id: 'o_1', resource_type: 'o' } };
const batch = {
  events: [
    { name: 'oa.a', data: {} },
    { name: 'oa.b', data: { n: 2 } },
  ],
};

const endpointCreate = {
  url: 'https://example.com/hooks',
  event_types: ['created.*'],
  headers: { 'X-Team': 'payments' },
  rate_limit: 5,
  legacy_signature_header: 'X-Hub-Signature-256',
  metadata: { team: 'payments' },
};

/** The tenant key, naming the other tenant's `tenant_id`: 403. */
const naming =
  (method: Method, path: string, body?: Record<string, unknown>): Make =>
  ({ tenantKey }) => ({
    method,
    path: body ? path : `${path}${path.includes('?') ? '&' : '?'}tenant_id=${OTHER}`,
    ...(body ? { body: { ...body, tenant_id: OTHER } } : {}),
    key: tenantKey,
  });

const SCENARIOS: Record<string, Scenario> = {
  'POST /v1/endpoints': {
    ok: () => ({
      method: 'post',
      path: '/v1/endpoints',
      body: { ...endpointCreate, tenant_id: TENANT },
    }),
    provoke: {
      403: [naming('post', '/v1/endpoints', endpointCreate)],
      409: [
        () => ({
          method: 'post',
          path: '/v1/endpoints',
          body: { ...endpointCreate, tenant_id: FULL },
        }),
      ],
      422: [() => ({ method: 'post', path: '/v1/endpoints', body: { colour: 'red' } })],
    },
  },
  'GET /v1/endpoints': {
    ok: () => ({ method: 'get', path: '/v1/endpoints?limit=2' }),
    provoke: {
      403: [naming('get', '/v1/endpoints')],
      422: [() => ({ method: 'get', path: '/v1/endpoints?cursor=zzz' })],
    },
  },
  'GET /v1/endpoints/{id}': {
    ok: ({ endpoint }) => ({ method: 'get', path: `/v1/endpoints/${endpoint}` }),
  },
  'PATCH /v1/endpoints/{id}': {
    ok: ({ endpoint }) => ({
      method: 'patch',
      path: `/v1/endpoints/${endpoint}`,
      body: { description: 'patched' },
    }),
    provoke: {
      422: [
        ({ endpoint }) => ({
          method: 'patch',
          path: `/v1/endpoints/${endpoint}`,
          body: { rate_limit: 0 },
        }),
      ],
    },
  },
  'DELETE /v1/endpoints/{id}': {
    ok: ({ doomed }) => ({ method: 'delete', path: `/v1/endpoints/${doomed}` }),
  },
  'GET /v1/endpoints/{id}/secret': {
    ok: ({ endpoint }) => ({ method: 'get', path: `/v1/endpoints/${endpoint}/secret` }),
  },
  'POST /v1/endpoints/{id}/secret/rotate': {
    // No body at all: the key is generated.
    ok: ({ endpoint }) => ({ method: 'post', path: `/v1/endpoints/${endpoint}/secret/rotate` }),
    provoke: {
      422: [
        ({ endpoint }) => ({
          method: 'post',
          path: `/v1/endpoints/${endpoint}/secret/rotate`,
          body: { key: 'not-a-secret' },
        }),
      ],
    },
  },
  'POST /v1/endpoints/{id}/test': {
    ok: ({ endpoint }) => ({
      method: 'post',
      path: `/v1/endpoints/${endpoint}/test`,
      body: { name: 'oa.test' },
    }),
    provoke: {
      422: [
        ({ endpoint }) => ({ method: 'post', path: `/v1/endpoints/${endpoint}/test`, body: {} }),
        ({ disabled }) => ({
          method: 'post',
          path: `/v1/endpoints/${disabled}/test`,
          body: { name: 'oa.test' },
        }),
      ],
      429: [
        spent('test_sends', ({ ep }) => ({
          method: 'post',
          path: `/v1/endpoints/${ep}/test`,
          body: { name: 'oa.test' },
        })),
      ],
    },
  },
  'POST /v1/endpoints/{id}/recover': {
    ok: ({ recovering }) => ({
      method: 'post',
      path: `/v1/endpoints/${recovering}/recover`,
      body: { since: FAR_PAST },
    }),
    provoke: {
      422: [
        ({ recovering }) => ({
          method: 'post',
          path: `/v1/endpoints/${recovering}/recover`,
          body: { since: 'yesterday' },
        }),
      ],
      429: [
        spent('retries', ({ ep }) => ({
          method: 'post',
          path: `/v1/endpoints/${ep}/recover`,
          body: { since: FAR_PAST },
        })),
      ],
    },
  },
  'GET /v1/endpoints/{id}/blocked-lines': {
    ok: ({ ordered }) => ({ method: 'get', path: `/v1/endpoints/${ordered}/blocked-lines` }),
  },
  'GET /v1/endpoints/{id}/deliveries': {
    ok: ({ endpoint }) => ({ method: 'get', path: `/v1/endpoints/${endpoint}/deliveries` }),
    provoke: {
      422: [
        ({ endpoint }) => ({
          method: 'get',
          path: `/v1/endpoints/${endpoint}/deliveries?status=x`,
        }),
      ],
    },
  },
  'POST /v1/events': {
    ok: () => ({ method: 'post', path: '/v1/events', body: event }),
    provoke: {
      409: [
        () =>
          whileRunning('events', [PublishEvent.parse(event)], {
            method: 'post',
            path: '/v1/events',
            body: event,
          }),
      ],
      422: [
        () => ({ method: 'post', path: '/v1/events', body: { name: 'no spaces', data: {} } }),
        // Hookline's own names.
        () => ({
          method: 'post',
          path: '/v1/events',
          body: { name: 'hookline.delivery.dead', data: {} },
        }),
        // An endpoint of another tenant than the event's.
        ({ other }) => ({
          method: 'post',
          path: '/v1/events',
          body: { name: 'oa.x', data: {}, tenant_id: TENANT, endpoint_ids: [other.ep] },
        }),
        () => ({
          method: 'post',
          path: '/v1/events',
          body: { name: 'oa.x', data: {}, endpoint_ids: [UNKNOWN.ep] },
        }),
        () =>
          reusedKey(
            { method: 'post', path: '/v1/events', body: event },
            { method: 'post', path: '/v1/events', body: { ...event, data: { n: 2 } } },
          ),
      ],
    },
  },
  'POST /v1/events/batch': {
    ok: () => ({ method: 'post', path: '/v1/events/batch', body: batch }),
    provoke: {
      409: [
        () =>
          whileRunning('events.batch', PublishBatch.parse(batch).events, {
            method: 'post',
            path: '/v1/events/batch',
            body: batch,
          }),
      ],
      422: [
        () => ({ method: 'post', path: '/v1/events/batch', body: { events: [] } }),
        () =>
          reusedKey(
            { method: 'post', path: '/v1/events/batch', body: batch },
            { method: 'post', path: '/v1/events/batch', body: { events: [event] } },
          ),
      ],
    },
  },
  'GET /v1/events': {
    ok: () => ({ method: 'get', path: '/v1/events?limit=5' }),
    provoke: {
      403: [naming('get', '/v1/events')],
      422: [() => ({ method: 'get', path: '/v1/events?after=yesterday' })],
    },
  },
  'GET /v1/events/{id}': {
    ok: ({ event }) => ({ method: 'get', path: `/v1/events/${event}` }),
  },
  'GET /v1/deliveries': {
    ok: ({ dead }) => ({
      method: 'get',
      path: `/v1/deliveries?endpoint_id=${dead}&status=dead&name=dead.*&limit=5`,
    }),
    provoke: {
      403: [naming('get', '/v1/deliveries')],
      422: [
        () => ({ method: 'get', path: '/v1/deliveries?cursor=zzz' }),
        () => ({ method: 'get', path: '/v1/deliveries?http_status=abc' }),
      ],
    },
  },
  'GET /v1/activity': {
    ok: ({ dead }) => ({ method: 'get', path: `/v1/activity?window=1h&endpoint_id=${dead}` }),
    provoke: {
      403: [naming('get', '/v1/activity')],
      404: [
        () => ({ method: 'get', path: `/v1/activity?endpoint_id=${UNKNOWN.ep}` }),
        ({ other, tenantKey }) => ({
          method: 'get',
          path: `/v1/activity?endpoint_id=${other.ep}`,
          key: tenantKey,
        }),
      ],
      422: [() => ({ method: 'get', path: '/v1/activity?window=2h' })],
    },
  },
  'GET /v1/deliveries/{id}': {
    ok: ({ delivery }) => ({ method: 'get', path: `/v1/deliveries/${delivery}` }),
  },
  'POST /v1/deliveries/{id}/retry': {
    ok: ({ delivery }) => ({ method: 'post', path: `/v1/deliveries/${delivery}/retry` }),
    provoke: {
      429: [
        spent('retries', ({ whd }) => ({ method: 'post', path: `/v1/deliveries/${whd}/retry` })),
      ],
    },
  },
  'GET /v1/dead-letter': {
    ok: ({ dead }) => ({ method: 'get', path: `/v1/dead-letter?endpoint_id=${dead}` }),
    provoke: {
      403: [naming('get', '/v1/dead-letter')],
      404: [
        () => ({ method: 'get', path: `/v1/dead-letter?endpoint_id=${UNKNOWN.ep}` }),
        ({ other, tenantKey }) => ({
          method: 'get',
          path: `/v1/dead-letter?endpoint_id=${other.ep}`,
          key: tenantKey,
        }),
      ],
      422: [() => ({ method: 'get', path: '/v1/dead-letter?endpoint_id=nope' })],
    },
  },
  'POST /v1/dead-letter/replay': {
    ok: ({ replayable }) => ({
      method: 'post',
      path: '/v1/dead-letter/replay',
      body: { ids: [replayable] },
    }),
    provoke: {
      403: [naming('post', '/v1/dead-letter/replay', {})],
      404: [
        () => ({
          method: 'post',
          path: '/v1/dead-letter/replay',
          body: { endpoint_id: UNKNOWN.ep },
        }),
        ({ other, tenantKey }) => ({
          method: 'post',
          path: '/v1/dead-letter/replay',
          body: { endpoint_id: other.ep },
          key: tenantKey,
        }),
      ],
      422: [() => ({ method: 'post', path: '/v1/dead-letter/replay', body: { ids: [] } })],
      429: [spent('retries', () => ({ method: 'post', path: '/v1/dead-letter/replay', body: {} }))],
    },
  },
  'GET /v1/tenants': {
    ok: () => ({ method: 'get', path: '/v1/tenants?limit=2' }),
    provoke: { 422: [() => ({ method: 'get', path: '/v1/tenants?cursor=-not-a-tenant' })] },
  },
  'GET /v1/tenants/{tenant_id}': {
    ok: () => ({ method: 'get', path: `/v1/tenants/${TENANT}` }),
    provoke: { 404: [() => ({ method: 'get', path: '/v1/tenants/oa-nobody' })] },
  },
  'PUT /v1/tenants/{tenant_id}': {
    ok: () => ({ method: 'put', path: `/v1/tenants/${TENANT}`, body: { weight: 2 } }),
    provoke: {
      404: [() => ({ method: 'put', path: '/v1/tenants/oa-nobody', body: { weight: 2 } })],
      422: [() => ({ method: 'put', path: `/v1/tenants/${TENANT}`, body: { weight: 0 } })],
    },
  },
  'DELETE /v1/tenants/{tenant_id}': {
    ok: () => ({ method: 'delete', path: `/v1/tenants/${LEAVING}` }),
    provoke: { 404: [() => ({ method: 'delete', path: '/v1/tenants/oa-nobody' })] },
  },
  'POST /v1/tenants/{tenant_id}/keys': {
    ok: () => ({ method: 'post', path: `/v1/tenants/${TENANT}/keys`, body: { expires_in: '1h' } }),
    provoke: {
      422: [
        () => ({ method: 'post', path: `/v1/tenants/${TENANT}/keys`, body: { expires_in: '31d' } }),
        () => ({
          method: 'post',
          path: `/v1/tenants/${TENANT}/keys`,
          body: { expires_in: 'soon' },
        }),
      ],
    },
  },
  'DELETE /v1/tenants/{tenant_id}/keys': {
    ok: () => ({ method: 'delete', path: `/v1/tenants/${REVOKED}/keys` }),
  },
  'POST /v1/operator-keys': {
    ok: () => ({
      method: 'post',
      path: '/v1/operator-keys',
      body: { name: 'oa', expires_in: '1h' },
    }),
    provoke: {
      422: [() => ({ method: 'post', path: '/v1/operator-keys', body: { expires_in: '3651d' } })],
    },
  },
  'GET /v1/operator-keys': {
    ok: () => ({ method: 'get', path: '/v1/operator-keys?limit=2' }),
    provoke: { 422: [() => ({ method: 'get', path: '/v1/operator-keys?cursor=nope' })] },
  },
  'DELETE /v1/operator-keys/{id}': {
    ok: ({ doomedOperatorKey }) => ({
      method: 'delete',
      path: `/v1/operator-keys/${doomedOperatorKey}`,
    }),
  },
  'POST /v1/operator-keys/{id}/rotate': {
    ok: ({ operatorKey }) => ({
      method: 'post',
      path: `/v1/operator-keys/${operatorKey}/rotate`,
      body: { grace: '1m' },
    }),
    provoke: {
      422: [
        ({ operatorKey }) => ({
          method: 'post',
          path: `/v1/operator-keys/${operatorKey}/rotate`,
          body: { grace: '31d' },
        }),
      ],
    },
  },
  'POST /v1/encryption-keys/reseal': {
    ok: () => ({ method: 'post', path: '/v1/encryption-keys/reseal' }),
  },
};

/** Declared statuses no request here can provoke, and why. Keep it short (none today). */
const UNPROVOKED: Record<number, string> = {};

/**
 * Declared answers the app does not give today: bugs in the code, not in the document. Their
 * tests are `test.failing`, so each starts failing (and must leave this list) once it is fixed.
 * None today.
 */
const KNOWN_WRONG: Record<string, string> = {};

/** The error statuses derived from the success request, for the routes that declare them. */
function derived(key: string, status: number, scenario: Scenario): Make[] {
  const broken =
    (raw: Call['raw']): Make =>
    async (f) => ({ ...(await scenario.ok(f)), raw });
  /** The success request with its path changed. */
  const repathed =
    (change: (path: string, f: Fixtures) => string, tenantKey = false): Make =>
    async (f) => {
      const call = await scenario.ok(f);
      return { ...call, path: change(call.path, f), ...(tenantKey ? { key: f.tenantKey } : {}) };
    };
  switch (status) {
    case 400:
      return [broken({ type: 'application/json', text: '{"name": ' })];
    case 413:
      return [
        broken({ type: 'application/json', text: JSON.stringify({ pad: 'x'.repeat(1 << 20) }) }),
      ];
    case 415:
      return [broken({ type: 'text/plain', text: 'hello' })];
    case 403:
      // A tenant key, on a route for operator keys.
      if (operationOf(key)['x-hookline-tenant-key'] !== false) return [];
      return [async (f) => ({ ...(await scenario.ok(f)), key: f.tenantKey })];
    case 404:
      if (key.includes('{tenant_id}'))
        return [repathed((path) => path.replace(/^\/v1\/tenants\/[^/?]+/, '/v1/tenants/-nope'))];
      if (!key.includes('{id}')) return [];
      return [
        repathed((path) => path.replace(PATH_ID, (_, p: keyof typeof UNKNOWN) => UNKNOWN[p])),
        repathed((path) => path.replace(PATH_ID, 'nope')),
        // Another tenant's object of the same kind, to a tenant key: as if it did not exist
        // (a route for operator keys only refuses a tenant key before it looks).
        ...(operationOf(key)['x-hookline-tenant-key'] === false
          ? []
          : [
              repathed(
                (path, f) => path.replace(PATH_ID, (_, p: keyof Fixtures['other']) => f.other[p]),
                true,
              ),
            ]),
      ];
    default:
      return [];
  }
}

function operationOf(key: string): Json {
  const [method, path] = key.split(' ') as [string, string];
  return doc.paths[path]![method.toLowerCase()]!;
}

function send(app: Express, call: Call, auth = true): request.Test {
  let req = request(app)[call.method](call.path);
  if (auth) req = req.set('Authorization', `Bearer ${call.key ?? API_KEY}`);
  if (call.headers) req = req.set(call.headers);
  if (call.raw) return req.set('Content-Type', call.raw.type).send(call.raw.text);
  return call.body === undefined ? req : req.send(call.body as object);
}

// --- fixtures ----------------------------------------------------------------------------------

const failedAttempt = (error: Attempt['error']): Attempt => ({
  number: 1,
  at: new Date().toISOString(),
  duration_ms: 12,
  status_code: error === null ? 500 : null,
  error,
  response_excerpt: error === null ? 'boom' : '',
});

async function createEndpoint(body: Record<string, unknown>): Promise<string> {
  const res = await h.api.post('/v1/endpoints', { url: 'https://example.com/h', ...body });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

async function createOperatorKey(): Promise<string> {
  return ((await h.api.post('/v1/operator-keys', {}).expect(201)).body as { id: string }).id;
}

/** Publishes `name` and settles its one delivery to `endpoint` as a dispatcher would have. */
async function settled(
  endpoint: string,
  name: string,
  status: 'failed' | 'dead',
  tenant: string | null = null,
) {
  const res = await h.api
    .post('/v1/events', { name, data: {}, ...(tenant === null ? {} : { tenant_id: tenant }) })
    .expect(202);
  const event = (res.body as { id: string }).id;
  const id = deliveryIdFor(event, endpoint);
  await h.settle(id, status, failedAttempt(status === 'dead' ? 'timeout' : null));
  return { event, delivery: id };
}

beforeAll(async () => {
  h = await startApp('openapi', {
    env: { HOOKLINE_TENANT_MAX_ENDPOINTS: String(MAX_ENDPOINTS) },
  });
  const endpoint = await createEndpoint({ event_types: ['oa.*'] });
  const dead = await createEndpoint({ event_types: ['dead.*'] });
  const recovering = await createEndpoint({ event_types: ['recover.*'] });
  const fixture = await settled(endpoint, 'oa.fixture', 'failed');
  // Tenants: one whose key the requests use, another whose objects that key must not find, one
  // to delete and one whose keys are revoked.
  await createEndpoint({ tenant_id: TENANT, event_types: ['oa.*'] });
  const otherEndpoint = await createEndpoint({ tenant_id: OTHER, event_types: ['oa.*'] });
  const otherEvent = await settled(otherEndpoint, 'oa.other', 'dead', OTHER);
  await createEndpoint({ tenant_id: LEAVING });
  for (let i = 0; i < MAX_ENDPOINTS; i++) await createEndpoint({ tenant_id: FULL });
  const busyEndpoint = await createEndpoint({ tenant_id: BUSY, event_types: ['oa.*'] });
  const busyDead = await settled(busyEndpoint, 'oa.busy', 'dead', BUSY);
  const busyKey = await h.api.post(`/v1/tenants/${BUSY}/keys`, {}).expect(201);
  await h.api.post(`/v1/tenants/${REVOKED}/keys`, {}).expect(201);
  const minted = await h.api.post(`/v1/tenants/${TENANT}/keys`, {}).expect(201);
  fx = {
    endpoint,
    disabled: await createEndpoint({ event_types: ['oa.*'], disabled: true }),
    doomed: await createEndpoint({ event_types: ['doomed.*'] }),
    recovering,
    ordered: await createEndpoint({ event_types: ['ordered.*'], ordering: { key: 'endpoint' } }),
    dead,
    deadDelivery: (await settled(dead, 'dead.one', 'dead')).delivery,
    replayable: (await settled(dead, 'dead.two', 'dead')).delivery,
    event: fixture.event,
    delivery: fixture.delivery,
    tenantKey: (minted.body as TenantKey).key,
    other: { ep: otherEndpoint, evt: otherEvent.event, whd: otherEvent.delivery },
    operatorKey: await createOperatorKey(),
    doomedOperatorKey: await createOperatorKey(),
    busy: {
      key: (busyKey.body as TenantKey).key,
      ep: busyEndpoint,
      whd: busyDead.delivery,
    },
  };
  await settled(recovering, 'recover.one', 'dead');
  // An ordered endpoint's line, blocked by its head's failed attempt.
  for (const name of ['ordered.one', 'ordered.two']) {
    const res = await h.api.post('/v1/events', { name, data: {} }).expect(202);
    const line = lineOf(fx.ordered, 'endpoint', { tenantId: null, resourceId: null });
    if (name === 'ordered.one')
      await h.settle(
        deliveryIdFor((res.body as { id: string }).id, fx.ordered, line.slot),
        'failed',
        failedAttempt(null),
      );
  }
  // Lists and counts come from the log: every fixture in it before a list is asked for.
  await h.logged();

  // The same app over a Redis and a log that are not there: closed ports.
  const config = loadConfig({
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    HOOKLINE_LOG_URL: `postgres://postgres@127.0.0.1:${await freePort()}/hookline`,
    HOOKLINE_API_KEYS: API_KEY,
    HOOKLINE_QUEUE_PREFIX: testPrefix('openapi-down'),
    HOOKLINE_ALLOW_INSECURE_URLS: 'true',
    HOOKLINE_ENCRYPTION_KEYS: TEST_REDIS_ENV.HOOKLINE_ENCRYPTION_KEYS,
  });
  const context = createContext(config, 'api');
  down = {
    context,
    app: createApp({
      context,
      config,
      metrics: createMetrics(metricSources(context)),
      logger: createLogger('silent', 'producer-test'),
    }),
  };
});
afterAll(async () => {
  await down?.context.close();
  await h?.close();
});

// --- the tests ---------------------------------------------------------------------------------

test('GET /openapi.json serves the document without a key', async () => {
  const res = await request(h.app).get('/openapi.json').expect(200);
  expect(res.type).toBe('application/json');
  expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
});

test('every scenario is of a route the document has, and names only statuses it declares', () => {
  for (const [key, scenario] of Object.entries(SCENARIOS)) {
    expect(ROUTE_KEYS).toContain(key);
    const [method, path] = key.split(' ') as [string, string];
    const declared = Object.keys(doc.paths[path]![method.toLowerCase()]!.responses as Json);
    for (const status of Object.keys(scenario.provoke ?? {})) expect(declared).toContain(status);
  }
});

const declaredPairs = ROUTE_KEYS.flatMap((key) => {
  const [method, path] = key.split(' ') as [string, string];
  const responses = doc.paths[path]![method.toLowerCase()]!.responses as Json;
  return Object.keys(responses).map((status) => [key, Number(status)] as const);
});

/** Sends every request `status` needs for the route, and checks each answer. */
async function provoke(key: string, status: number): Promise<void> {
  const scenario = SCENARIOS[key];
  if (scenario === undefined) throw new Error(`${key}: no scenario: add one to SCENARIOS`);
  let calls: { app: Express; make: Make; auth: boolean }[];
  if (status < 300) calls = [{ app: h.app, make: scenario.ok, auth: true }];
  else if (status === 401) calls = [{ app: h.app, make: scenario.ok, auth: false }];
  else if (status === 503) calls = [{ app: down.app, make: scenario.ok, auth: true }];
  else {
    const makes = [...(scenario.provoke?.[status] ?? []), ...derived(key, status, scenario)];
    calls = makes.map((make) => ({ app: h.app, make, auth: true }));
  }
  if (calls.length === 0)
    throw new Error(`${key}: nothing provokes ${status}: add it to SCENARIOS`);
  for (const { app, make, auth } of calls) {
    const call = await make(fx);
    const res = await send(app, call, auth);
    const sent = `${call.method.toUpperCase()} ${call.path.slice(0, 120)}`;
    expect(`${sent} → ${res.status}`).toBe(`${sent} → ${status}`);
    conform(key, res);
    // An empty list says nothing of its items' schema: the fixtures make every list non-empty.
    const data = (res.body as { data?: unknown }).data;
    if (status < 300 && Array.isArray(data)) expect(data.length).toBeGreaterThan(0);
  }
}

// A 409 waits out the 10 s a duplicate gives the first request.
const TIMEOUT_MS = 20_000;

describe.each(ROUTE_KEYS)('%s', (key) => {
  const statuses = declaredPairs.filter(([k]) => k === key).map(([, status]) => status);
  const wrong = (status: number) => `${key} ${status}` in KNOWN_WRONG;
  const provoked = statuses.filter((status) => !(status in UNPROVOKED) && !wrong(status));

  test.each(provoked)('→ %i', (status) => provoke(key, status), TIMEOUT_MS);
  for (const status of statuses.filter(wrong))
    test.failing(`→ ${status}, known wrong: ${KNOWN_WRONG[`${key} ${status}`]}`, () =>
      provoke(key, status),
    );
  for (const status of statuses.filter((s) => s in UNPROVOKED))
    test.todo(`→ ${status}: ${UNPROVOKED[status]}`);
});

test('a tenant key is let through wherever the document says it may go', async () => {
  const open = ROUTE_KEYS.filter((key) => operationOf(key)['x-hookline-tenant-key'] === true);
  expect(open.length).toBeGreaterThan(0);
  for (const key of open) {
    // Most fixtures are untenanted, so a 404 is a fair answer: what matters is that it is no 403.
    const call = await SCENARIOS[key]!.ok(fx);
    const res = await send(h.app, { ...call, key: fx.tenantKey });
    expect(`${key} → ${res.status}`).not.toBe(`${key} → 403`);
    conform(key, res);
  }
});

test('every (route, status) the document declares was answered, but the unprovoked and the known wrong', () => {
  const expected = declaredPairs
    .map(([key, status]) => `${key} ${status}`)
    .filter((pair) => !(Number(pair.split(' ')[2]) in UNPROVOKED) && !(pair in KNOWN_WRONG));
  expect([...seen].sort()).toEqual(expected.sort());
});
