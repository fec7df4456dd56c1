import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { OPERATIONAL_EVENTS } from './operational-events';
import { openApiDocument, type Json } from './openapi';
import { ROUTES, WEBHOOKS, type Route } from './routes';

const COMMITTED = path.join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

/** The paths (`paths./v1/events.post.responses`) at which two JSON values differ, a few of them. */
function differences(a: unknown, b: unknown, at = '', found: string[] = []): string[] {
  if (found.length >= 10 || isDeepStrictEqual(a, b)) return found;
  const objects = [a, b].every((v) => typeof v === 'object' && v !== null);
  if (!objects || Array.isArray(a) !== Array.isArray(b)) {
    found.push(at || '(the whole document)');
    return found;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const key of keys)
    differences(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      at ? `${at}.${key}` : key,
      found,
    );
  return found;
}

/** Every value of `key` anywhere in `value`. */
function valuesOf(value: unknown, key: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]): unknown[] => [
    ...(k === key ? [v] : []),
    ...valuesOf(v, key),
  ]);
}

const doc = openApiDocument();
const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));

test('docs/openapi.json is what the code generates', () => {
  const committed: unknown = JSON.parse(readFileSync(COMMITTED, 'utf8'));
  const generated: unknown = JSON.parse(JSON.stringify(doc));
  const differ = differences(committed, generated);
  if (differ.length > 0) {
    throw new Error(
      `docs/openapi.json is out of date (it differs at ${differ.join(', ')}): run \`npm run openapi\` and commit it`,
    );
  }
});

test('describes every route and webhook of the tables once, with a unique operationId', () => {
  expect(operations).toHaveLength(ROUTES.length);
  const hooks = Object.values(doc.webhooks).map((hook) => hook.post);
  expect(hooks).toHaveLength(WEBHOOKS.length);
  const ids = [...operations, ...hooks].map((op) => op.operationId);
  expect(new Set(ids).size).toBe(ids.length);
});

test('every $ref points at a schema in components', () => {
  const refs = valuesOf(doc, '$ref');
  expect(refs.length).toBeGreaterThan(0);
  for (const ref of refs) {
    expect(ref).toMatch(/^#\/components\/schemas\//);
    expect(doc.components.schemas).toHaveProperty([(ref as string).split('/').pop()!]);
  }
});

/** Whether an operation takes `tenant_id`, in its query or its body. */
function takesTenant(op: Json): boolean {
  const params = (op.parameters ?? []) as { name: string; in: string }[];
  if (params.some((p) => p.name === 'tenant_id' && p.in === 'query')) return true;
  const body = (op.requestBody as { content: Record<string, { schema: Json }> } | undefined)
    ?.content['application/json']?.schema;
  const ref = body?.$ref as string | undefined;
  const schema = ref === undefined ? body : doc.components.schemas[ref.split('/').pop()!];
  // A body that is one of several shapes (an endpoint of each type) takes it if one of them does.
  const shapes = (schema?.oneOf as Json[] | undefined) ?? (schema ? [schema] : []);
  return shapes.some(
    (shape) => shape.properties !== undefined && 'tenant_id' in (shape.properties as Json),
  );
}

test('every operation answers 401 and 503 with the error body', () => {
  for (const op of operations) {
    const responses = op.responses as Record<string, Json>;
    for (const status of ['401', '503']) expect(responses).toHaveProperty([status]);
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status) < 400) continue;
      expect(response).toMatchObject({
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
      });
    }
  }
});

test('a tenant key is 403 where it may not go, and where it names another tenant', () => {
  for (const op of operations) {
    const forbidden = (op.responses as Record<string, Json>)['403'];
    const message = (forbidden?.content as Record<string, { example: Json }> | undefined)?.[
      'application/json'
    ]?.example;
    if (op['x-hookline-tenant-key'] === false) {
      expect({ [String(op.operationId)]: message }).toMatchObject({
        [String(op.operationId)]: { error: { message: 'a tenant key cannot use this route' } },
      });
    } else {
      // A route open to tenant keys refuses one only for naming another tenant.
      expect({ [String(op.operationId)]: forbidden !== undefined }).toEqual({
        [String(op.operationId)]: takesTenant(op),
      });
    }
  }
});

test('the tenant, operator-key and encryption-key routes are for operator keys (but reading its own tenant); endpoints, deliveries, event reads and the dead letter take tenant keys', () => {
  const tenantKey = Object.fromEntries(
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => [
        `${method.toUpperCase()} ${path}`,
        op['x-hookline-tenant-key'],
      ]),
    ),
  );
  for (const [key, allowed] of Object.entries(tenantKey)) {
    const operatorOnly =
      (/ \/v1\/tenants\b/.test(key) && key !== 'GET /v1/tenants/{tenant_id}') ||
      / \/v1\/operator-keys\b/.test(key) ||
      / \/v1\/encryption-keys\b/.test(key) ||
      /^POST \/v1\/events(\/batch)?$/.test(key);
    expect({ [key]: allowed }).toEqual({ [key]: !operatorOnly });
  }
});

test('the webhooks are the delivery of every event and each operational event', () => {
  expect(Object.keys(doc.webhooks).sort()).toEqual(
    ['event', ...Object.keys(OPERATIONAL_EVENTS)].sort(),
  );
  expect(doc.webhooks.event?.post).toMatchObject({
    requestBody: {
      content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' } } },
    },
    // The receiver checks the signature; there is no key to send.
    security: [],
  });
  for (const name of Object.keys(OPERATIONAL_EVENTS)) {
    const { schema } = (
      doc.webhooks[name]!.post.requestBody as { content: Record<string, { schema: Json }> }
    ).content['application/json']!;
    const body = doc.components.schemas[String(schema.$ref).split('/').pop()!]!;
    expect(body).toMatchObject({ properties: { name: { const: name } } });
  }
  const headers = (doc.webhooks.event!.post.parameters as { name: string; required: boolean }[])
    .filter((p) => p.required)
    .map((p) => p.name);
  expect(headers).toEqual(
    expect.arrayContaining([
      'Webhook-Id',
      'Webhook-Timestamp',
      'Webhook-Signature',
      'Webhook-Attempt',
    ]),
  );
});

test('request bodies refuse unknown fields; responses leave room for new ones', () => {
  const { schemas } = doc.components;
  for (const endpointType of schemas.EndpointCreate!.oneOf as Json[])
    expect(endpointType).toMatchObject({ additionalProperties: false });
  expect(schemas.PublishEvent).toMatchObject({ additionalProperties: false });
  expect(schemas.Endpoint).not.toHaveProperty(['additionalProperties']);
  expect(schemas.Delivery).not.toHaveProperty(['additionalProperties']);
  expect(schemas.TenantKeyCreate).toMatchObject({ additionalProperties: false });
  expect(schemas.TenantKey).not.toHaveProperty(['additionalProperties']);
});

test('names the tenant and operational event schemas', () => {
  for (const name of [
    'TenantId',
    'Tenant',
    'TenantList',
    'TenantKeyCreate',
    'TenantKey',
    'EventWithDeliveries',
    'DeliveryDeadData',
    'EndpointDisabledData',
  ])
    expect(doc.components.schemas).toHaveProperty([name]);
});

test('a new route is one table entry', () => {
  const route: Route = {
    method: 'get',
    path: '/v1/widgets/{id}',
    operationId: 'getWidget',
    tag: 'Endpoints',
    summary: 'Read a widget',
    description: 'A widget.',
    params: z.object({ id: z.string() }),
    responses: { 200: { description: 'The widget.', body: z.object({ id: z.string() }) } },
    tenantKey: false,
  };
  const widget = openApiDocument([...ROUTES, route]).paths['/v1/widgets/{id}']?.get;
  expect(widget).toMatchObject({
    operationId: 'getWidget',
    parameters: [{ name: 'id', in: 'path', required: true }],
    responses: { 200: {}, 403: {} },
    'x-hookline-tenant-key': false,
  });
});

test('a path parameter without its schema is refused', () => {
  const route: Route = { ...ROUTES.find((r) => r.path.includes('{id}'))!, params: z.object({}) };
  expect(() => openApiDocument([route])).toThrow(/path parameters/);
});
