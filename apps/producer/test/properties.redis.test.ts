import {
  DeadLetterReplay,
  PublishBatch,
  PublishEvent,
  Recover,
  SecretRotate,
  TestSend,
  type Endpoint,
} from '@hookline/api';
import fc from 'fast-check';
import { AUTH, call, expectClientError, keysUnder, startApp, type Harness } from './harness';
import { endpointInputSchemas } from '../src/endpoint-input';

// Hostile input at every write route, with insecure URLs NOT allowed (production's setting):
// whatever arrives, the answer is a 4xx in the API's error shape (docs/api.md), never a 5xx, and Redis holds
// exactly the keys it held before.

const RUNS = { numRuns: 100, interruptAfterTimeLimit: 20_000 };
const TIMEOUT_MS = 40_000;

let h: Harness;
let endpoint: Endpoint;

beforeAll(async () => {
  h = await startApp('properties', { insecure: false });
  endpoint = (await h.api.post('/v1/endpoints', { url: 'https://example.com/hooks' }).expect(201))
    .body as Endpoint;
});
afterAll(() => h.close());

const HOSTILE_URLS = [
  'http://127.0.0.1',
  'https://10.0.0.1',
  'https://user:pw@x.com',
  'javascript:alert(1)',
  'https://[::1]/',
  'https://localhost',
  'https://api.localhost/x',
  'http://example.com/plain-http',
  'https://169.254.169.254/latest/meta-data/',
  'https://2130706433/',
  'https://0x7f.1/',
  'https://[::ffff:127.0.0.1]/',
  'file:///etc/passwd',
  'https://intranet/',
  'https://example.com/#fragment',
  `https://example.com/${'a'.repeat(5_000)}`,
  '',
];

/** Strings from harmless to large: up to 800 kB of one character (escaped ones pass 1 MiB: 413). */
const hugeString = fc
  .tuple(
    fc.constantFrom('a', 'é', '"', '\\', '\u0000', '😀', '.', '*'),
    fc.integer({ min: 256, max: 200_000 }),
  )
  .map(([char, n]) => char.repeat(n));

/** Any JSON value, or an object with the route's field names holding values of any type. */
function hostileBody(fields: readonly string[]) {
  const value = fc.oneof(fc.jsonValue(), hugeString, fc.constantFrom(...HOSTILE_URLS));
  const shaped = fc.record(Object.fromEntries(fields.map((f) => [f, value])), { requiredKeys: [] });
  return fc.oneof(fc.jsonValue(), shaped);
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Schema {
  safeParse(input: unknown): { success: boolean };
}

async function send(
  method: 'post' | 'patch',
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return call(h.app, method, path)
    .set(AUTH)
    .set(headers)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
}

/** Runs `property` and checks that no key under the prefix was added, removed or changed. */
async function writesNothing(property: () => Promise<void>) {
  const before = await snapshot();
  await property();
  expect(await snapshot()).toEqual(before);
}

async function snapshot() {
  const keys = await keysUnder(h.prefix);
  const endpointJson = await h.context.redis.get(h.context.keys.endpoint(endpoint.id));
  return { keys, endpointJson };
}

const { EndpointCreate, EndpointPatch } = endpointInputSchemas({ allowInsecure: false });
const ENDPOINT_FIELDS = [
  'url',
  'description',
  'event_types',
  'headers',
  'rate_limit',
  'ordering',
  'secret',
  'legacy_signature_header',
  'disabled',
  'metadata',
];

const writeRoutes: {
  name: string;
  method: 'post' | 'patch';
  path: () => string;
  schema: Schema;
  fields: string[];
}[] = [
  {
    name: 'POST /v1/endpoints',
    method: 'post',
    path: () => '/v1/endpoints',
    schema: EndpointCreate,
    fields: ENDPOINT_FIELDS,
  },
  {
    name: 'PATCH /v1/endpoints/:id',
    method: 'patch',
    path: () => `/v1/endpoints/${endpoint.id}`,
    schema: EndpointPatch,
    fields: ENDPOINT_FIELDS,
  },
  {
    name: 'POST /v1/endpoints/:id/secret/rotate',
    method: 'post',
    path: () => `/v1/endpoints/${endpoint.id}/secret/rotate`,
    schema: SecretRotate,
    fields: ['key'],
  },
  {
    name: 'POST /v1/endpoints/:id/test',
    method: 'post',
    path: () => `/v1/endpoints/${endpoint.id}/test`,
    schema: TestSend,
    fields: ['name', 'data'],
  },
  {
    name: 'POST /v1/endpoints/:id/recover',
    method: 'post',
    path: () => `/v1/endpoints/${endpoint.id}/recover`,
    schema: Recover,
    fields: ['since'],
  },
  {
    name: 'POST /v1/events',
    method: 'post',
    path: () => '/v1/events',
    schema: PublishEvent,
    fields: ['name', 'data', 'resource', 'endpoint_ids'],
  },
  {
    name: 'POST /v1/events/batch',
    method: 'post',
    path: () => '/v1/events/batch',
    schema: PublishBatch,
    fields: ['events'],
  },
  {
    name: 'POST /v1/dead-letter/replay',
    method: 'post',
    path: () => '/v1/dead-letter/replay',
    schema: DeadLetterReplay,
    fields: ['endpoint_id', 'ids'],
  },
];

describe.each(writeRoutes)('$name', ({ method, path, schema, fields }) => {
  test(
    'answers any invalid body with a 4xx in the error shape and writes nothing',
    () =>
      writesNothing(() =>
        fc.assert(
          fc.asyncProperty(
            hostileBody(fields).filter((body) => !schema.safeParse(body).success),
            fc.option(
              fc.string({ maxLength: 300 }).filter((k) => k.length > 0 && /^[\x21-\x7e]*$/.test(k)),
            ),
            async (body, idempotencyKey) => {
              const res = await send(
                method,
                path(),
                body,
                idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
              );
              expectClientError(res);
            },
          ),
          RUNS,
        ),
      ),
    TIMEOUT_MS,
  );

  test(
    'answers bodies that are not JSON at all with a 4xx',
    () =>
      writesNothing(() =>
        fc.assert(
          fc.asyncProperty(
            fc
              .string({ unit: 'binary', minLength: 1, maxLength: 2_000 })
              .filter((raw) => !parsesAsJson(raw)),
            fc.constantFrom(
              'application/json',
              'text/plain',
              'application/x-www-form-urlencoded',
              'application/json; charset=ucs-2',
            ),
            async (raw, type) => {
              expectClientError(
                await call(h.app, method, path()).set(AUTH).set('Content-Type', type).send(raw),
              );
            },
          ),
          RUNS,
        ),
      ),
    TIMEOUT_MS,
  );
});

test.each(HOSTILE_URLS)(
  'refuses the endpoint URL %j with 422 at url, created or patched',
  async (url) => {
    await writesNothing(async () => {
      for (const res of [
        await h.api.post('/v1/endpoints', { url }),
        await h.api.patch(`/v1/endpoints/${endpoint.id}`, { url }),
      ]) {
        expect(res.status).toBe(422);
        expectClientError(res);
        expect(
          (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
        ).toEqual(['url']);
      }
    });
  },
);

test(
  'any path id that is not a known id is a 404, on every route that takes one',
  () =>
    fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.string({ unit: 'grapheme', minLength: 1 }),
          fc.constantFrom('ep_', '..', '%', 'ep_01JH0000000000000000000000'),
        ),
        // Each with a body valid for it: only the id is wrong.
        fc.constantFrom(
          ...([
            ['get', '/v1/endpoints/:id', {}],
            ['patch', '/v1/endpoints/:id', { description: 'x' }],
            ['delete', '/v1/endpoints/:id', {}],
            ['get', '/v1/endpoints/:id/secret', {}],
            ['post', '/v1/endpoints/:id/secret/rotate', {}],
            ['post', '/v1/endpoints/:id/test', { name: 'x' }],
            ['post', '/v1/endpoints/:id/recover', { since: '2026-01-01T00:00:00Z' }],
            ['get', '/v1/endpoints/:id/deliveries', {}],
            ['get', '/v1/events/:id', {}],
            ['get', '/v1/deliveries/:id', {}],
            ['post', '/v1/deliveries/:id/retry', {}],
          ] as const),
        ),
        async (id, [method, pattern, body]) => {
          const path = pattern.replace(':id', encodeURIComponent(id));
          const res = await call(h.app, method, path).set(AUTH).send(body);
          expect(res.status).toBe(404);
          expectClientError(res);
        },
      ),
      RUNS,
    ),
  TIMEOUT_MS,
);

test(
  'any query string on a list route is a 200 or a 4xx, never a 5xx',
  () =>
    fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/endpoints', `/v1/endpoints/:id/deliveries`, '/v1/dead-letter'),
        fc.dictionary(
          fc.oneof(
            fc.constantFrom('limit', 'cursor', 'status', 'endpoint_id', 'limit[]', 'cursor[a]'),
            fc.string(),
          ),
          fc.oneof(
            fc.string(),
            fc.integer().map(String),
            fc.constantFrom('pending', 'dead', '0', '-1', '251', '1e3', endpoint?.id ?? ''),
          ),
        ),
        async (route, query) => {
          const search = new URLSearchParams(query).toString();
          const res = await h.api.get(`${route.replace(':id', endpoint.id)}?${search}`);
          if (res.status === 200) return;
          expectClientError(res);
        },
      ),
      RUNS,
    ),
  TIMEOUT_MS,
);
