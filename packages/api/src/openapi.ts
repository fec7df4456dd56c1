import {
  EventName,
  EventResource,
  JsonObject,
  PublicKey,
  Secret,
  SigningKey,
  WebhookEvent,
} from '@hookline/webhooks';
import { z } from 'zod';
import { Activity, ActivityBucket } from './activity';
import {
  Attempt,
  AttemptError,
  DeadLetterReplay,
  Delivery,
  DeliveryList,
  DeliveryStatus,
  Recover,
  Recovered,
  Replayed,
} from './deliveries';
import {
  CreatedEndpoint,
  Endpoint,
  EndpointCreate,
  EndpointList,
  EndpointPatch,
  SecretKey,
  SecretRotate,
} from './endpoints';
import { ErrorBody, ErrorCode, ErrorDetail } from './errors';
import {
  Event,
  EventDelivery,
  EventList,
  EventWithDeliveries,
  PublishBatch,
  PublishEvent,
  Published,
  PublishedBatch,
  TestSend,
} from './events';
import { DeliveryId, EndpointId, EventId } from './ids';
import { DeliveryDeadData, EndpointDisabledData } from './operational-events';
import { QUERY_INTEGERS } from './pagination';
import {
  DeliveryDeadEvent,
  DeliveryHeaders,
  EndpointDisabledEvent,
  REFUSALS,
  ROUTES,
  ROUTE_TAGS,
  WEBHOOKS,
  WEBHOOK_ANSWERS,
  WEBHOOK_TAG,
  type ErrorStatus,
  type Route,
  type RouteResponse,
  type Webhook,
} from './routes';
import { Tenant, TenantId, TenantKey, TenantKeyCreate, TenantList, TenantSummary } from './tenants';

/** A JSON Schema, or any other object of the document: plain JSON. */
export type Json = { [key: string]: unknown };

export interface OpenApiDocument extends Json {
  openapi: '3.1.0';
  paths: Record<string, Record<string, Json>>;
  webhooks: Record<string, { post: Json }>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

/** The schemas the document names in `components/schemas`; every other schema is written inline. */
const NAMED: [z.ZodType, string, string?][] = [
  [EndpointId, 'EndpointId', 'An endpoint id: `ep_` and 26 characters that sort by creation time.'],
  [EventId, 'EventId', 'An event id: `evt_` and 26 characters that sort by creation time.'],
  [DeliveryId, 'DeliveryId', 'A delivery id (`Webhook-Id`): `whd_` and 26 characters.'],
  [
    TenantId,
    'TenantId',
    "A tenant id: the publisher's own name for its customer (1–64 letters, digits, `_ . : -`).",
  ],
  [EventName, 'EventName'],
  [EventResource, 'EventResource', 'What an event is about.'],
  [JsonObject, 'JsonObject', 'Any JSON object.'],
  [WebhookEvent, 'WebhookEvent', 'An event as receivers get it.'],
  [Event, 'Event', 'An event as receivers get it, and the tenant it was published for.'],
  [Secret, 'Secret', 'A signing secret: `whsec_` and the base64 of 24–64 bytes.'],
  [
    SigningKey,
    'SigningKey',
    'An ed25519 signing key (`v1a`): `whsk_` and the base64 of its 32-byte seed.',
  ],
  [
    PublicKey,
    'PublicKey',
    'An ed25519 public key (`v1a`): `whpk_` and the base64 of its 32 bytes.',
  ],
  [EndpointCreate, 'EndpointCreate'],
  [EndpointPatch, 'EndpointPatch', 'Any subset of the writable fields.'],
  [Endpoint, 'Endpoint'],
  [CreatedEndpoint, 'CreatedEndpoint', 'An endpoint with what receivers verify it with.'],
  [EndpointList, 'EndpointList'],
  [SecretRotate, 'SecretRotate'],
  [SecretKey, 'SecretKey'],
  [PublishEvent, 'PublishEvent'],
  [PublishBatch, 'PublishBatch'],
  [Published, 'Published', 'A published event: its id and how many deliveries it created.'],
  [PublishedBatch, 'PublishedBatch'],
  [TestSend, 'TestSend'],
  [EventDelivery, 'EventDelivery', 'A delivery as its event shows it (`attempts` is a count).'],
  [EventWithDeliveries, 'EventWithDeliveries'],
  [EventList, 'EventList'],
  [DeliveryStatus, 'DeliveryStatus'],
  [AttemptError, 'AttemptError', 'How an attempt failed when there was no HTTP status.'],
  [Attempt, 'Attempt'],
  [Delivery, 'Delivery'],
  [DeliveryList, 'DeliveryList'],
  [Activity, 'Activity'],
  [ActivityBucket, 'ActivityBucket'],
  [DeadLetterReplay, 'DeadLetterReplay'],
  [Replayed, 'Replayed'],
  [Recover, 'Recover'],
  [Recovered, 'Recovered'],
  [Tenant, 'Tenant', "A tenant's size, counted when asked."],
  [TenantSummary, 'TenantSummary', 'A tenant and how many endpoints it has.'],
  [TenantList, 'TenantList'],
  [TenantKeyCreate, 'TenantKeyCreate'],
  [
    TenantKey,
    'TenantKey',
    'A tenant key, shown once, and the console link signed in with it (the key in the URL fragment).',
  ],
  [DeliveryDeadData, 'DeliveryDeadData', 'The `data` of `hookline.delivery.dead`.'],
  [EndpointDisabledData, 'EndpointDisabledData', 'The `data` of `hookline.endpoint.disabled`.'],
  [DeliveryDeadEvent, 'DeliveryDeadEvent', 'A `hookline.delivery.dead` event as receivers get it.'],
  [
    EndpointDisabledEvent,
    'EndpointDisabledEvent',
    'A `hookline.endpoint.disabled` event as receivers get it.',
  ],
  [ErrorCode, 'ErrorCode'],
  [ErrorDetail, 'ErrorDetail'],
  [ErrorBody, 'ErrorBody', 'The body of every error, whatever its status.'],
];

type Meta = z.core.GlobalMeta;

/**
 * The names above, over what the schemas say of themselves (`.describe()`, kept in zod's global
 * registry): `toJSONSchema` reads one registry, and the names belong to this document alone. A
 * schema's own words win over those it inherits (`EndpointId.describe('the endpoint')` keeps its
 * description, not `EndpointId`'s).
 */
class Names extends z.core.$ZodRegistry<Meta> {
  override get<S extends z.core.$ZodType>(schema: S): z.core.$replace<Meta, S> | undefined {
    const parent = schema._zod.parent;
    const { id: _notInherited, ...inherited } = (parent && this.get(parent)) ?? {};
    const merged = { ...inherited, ...z.globalRegistry.get(schema), ...this._map.get(schema) };
    return Object.keys(merged).length > 0 ? merged : undefined;
  }
}

const COMPONENT = '#/components/schemas/';

/** `$ref`s to zod's `$defs` as references to the document's components. */
function relink<T>(value: T): T {
  if (Array.isArray(value)) return value.map(relink) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string'
        ? item.replace(/^#\/\$defs\//, COMPONENT)
        : relink(item),
    ]),
  ) as T;
}

/**
 * Responses leave `additionalProperties` open where zod closes it (a plain `z.object` strips
 * unknown keys, so its output has none): a field added to a response later is then no breaking
 * change for clients generated from this document, which reject undeclared fields of a closed
 * object. Request bodies are `strictObject`s and stay closed: an unknown field is a 422.
 */
const openObjects: NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override'] = ({
  zodSchema,
  jsonSchema,
}) => {
  const def = zodSchema._zod.def;
  if (def.type === 'object' && !('catchall' in def && def.catchall)) {
    delete jsonSchema.additionalProperties;
  }
};

/**
 * Query integers ({@link QUERY_INTEGERS}) as the integers a client sends, with their range and
 * default, rather than as the strings of decimal digits they are parsed from.
 */
const queryIntegers: NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override'] = ({
  zodSchema,
  jsonSchema,
}) => {
  const range = QUERY_INTEGERS.get(zodSchema);
  const def = zodSchema._zod.def;
  if (range !== undefined) {
    for (const key of Object.keys(jsonSchema)) if (key !== 'description') delete jsonSchema[key];
    Object.assign(jsonSchema, { type: 'integer', ...range });
  } else if (def.type === 'default' && QUERY_INTEGERS.has(def.innerType)) {
    jsonSchema.default = def.defaultValue;
  }
};

/** Writes zod schemas as JSON Schema, and collects the named ones as components. */
class SchemaWriter {
  readonly components: Record<string, Json> = {};
  private readonly names = new Names();

  constructor() {
    for (const [schema, id, description] of NAMED)
      this.names.add(schema, description === undefined ? { id } : { id, description });
  }

  /** A request's schema (`input`: defaults make fields optional) or a response's (`output`). */
  write(schema: z.ZodType, io: 'input' | 'output'): Json {
    const written = z.toJSONSchema(schema, {
      io,
      metadata: this.names,
      target: 'draft-2020-12',
      unrepresentable: 'throw',
      override: io === 'output' ? openObjects : queryIntegers,
    }) as Json;
    const { $schema: _dialect, $defs, ...root } = written;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>))
      this.name(id, relink(def));
    return relink(root);
  }

  private name(id: string, schema: Json): void {
    const known = this.components[id];
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) {
      // A schema whose input and output differ (a default, a transform) cannot be one component.
      throw new Error(
        `components/schemas/${id} differs between requests and responses: name the two apart`,
      );
    }
    this.components[id] = schema;
  }
}

type ParameterPlace = 'path' | 'query' | 'header';

function parameters(writer: SchemaWriter, place: ParameterPlace, shape?: z.ZodObject): Json[] {
  if (shape === undefined) return [];
  const object = writer.write(shape, 'input');
  const properties = (object.properties ?? {}) as Record<string, Json>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: place,
    ...(description === undefined ? {} : { description }),
    required: place === 'path' || required.has(name),
    schema,
  }));
}

interface ErrorExample {
  message: string;
  details?: Json[];
}

const ERROR_EXAMPLES: Record<ErrorStatus, ErrorExample> = {
  400: { message: 'the body is not valid JSON' },
  401: { message: 'a valid API key is required: Authorization: Bearer <key>' },
  403: { message: 'a tenant key cannot use this route' },
  404: { message: 'endpoint ep_01JH0000000000000000000000 not found' },
  409: { message: 'a request with this Idempotency-Key is still running' },
  413: { message: 'the body is larger than 1 MiB' },
  415: { message: 'the body must be JSON (Content-Type: application/json)' },
  422: {
    message: 'name: event names use only letters, digits and . _ : -',
    details: [{ path: 'name', message: 'event names use only letters, digits and . _ : -' }],
  },
  429: { message: 'tenant acme has sent its 10 test sends a minute: retry in 6 s' },
  503: { message: 'the store (Redis) is unavailable; retry later' },
};

/** The example of an error whose code is not its status's usual one. */
const CODE_EXAMPLES: Partial<Record<ErrorCode, ErrorExample>> = {
  quota_exceeded: {
    message: 'tenant acme has 100 endpoints, the most a tenant may have: delete one first',
  },
};

/** Headers an error status always comes with. */
const ERROR_HEADERS: Partial<Record<ErrorStatus, Record<string, Json>>> = {
  401: {
    'WWW-Authenticate': { description: '`Bearer realm="hookline"`', schema: { type: 'string' } },
  },
  429: {
    'Retry-After': {
      description: 'Seconds until the budget holds enough again (a whole number, 1 or more).',
      schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
    },
  },
};

/** The 403 of a route a tenant key may call: it named another tenant. */
const OTHER_TENANT: ErrorExample = {
  message: 'a tenant key acts only in its own tenant',
  details: [{ path: 'tenant_id', message: 'must be the key’s own tenant' }],
};

function errorResponse(
  status: ErrorStatus,
  description: string,
  code: ErrorCode = REFUSALS[status].code,
  { message, details = [] }: ErrorExample = CODE_EXAMPLES[code] ?? ERROR_EXAMPLES[status],
): Json {
  const headers = ERROR_HEADERS[status];
  return {
    description,
    ...(headers === undefined ? {} : { headers }),
    content: {
      'application/json': {
        schema: { $ref: `${COMPONENT}ErrorBody` },
        example: { error: { code, message, details } },
      },
    },
  };
}

/** A success response, or a webhook's answer: its headers and JSON body, where it has them. */
function response(writer: SchemaWriter, { description, body, headers }: RouteResponse): Json {
  return {
    description,
    ...(headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(headers).map(([name, h]) => [
              name,
              { description: h.description, schema: writer.write(h.schema, 'output') },
            ]),
          ),
        }),
    ...(body === undefined
      ? {}
      : { content: { 'application/json': { schema: writer.write(body, 'output') } } }),
  };
}

const TENANT_KEY_NOTE = {
  true: '**Keys:** operator keys, and tenant keys for their own tenant (another tenant’s objects are `404` to them).',
  false: '**Keys:** operator keys only; a tenant key is `403 forbidden`.',
};

function operation(writer: SchemaWriter, route: Route): Json {
  const named = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const declared = Object.keys(route.params?.shape ?? {});
  if (named.join() !== declared.join())
    throw new Error(`${route.path}: path parameters ${named.join()} but params ${declared.join()}`);

  const responses: Record<string, Json> = {};
  // A tenant key is refused every route it may not call; the route need not say so.
  const statuses = { ...(route.tenantKey ? {} : { 403: REFUSALS[403] }), ...route.responses };
  for (const [key, answer] of Object.entries(statuses)) {
    const status = Number(key);
    responses[key] =
      status < 400
        ? response(writer, answer)
        : errorResponse(
            status as ErrorStatus,
            answer.description,
            answer.code,
            status === 403 && route.tenantKey ? OTHER_TENANT : undefined,
          );
  }
  const params = [
    ...parameters(writer, 'path', route.params),
    ...parameters(writer, 'header', route.headers),
    ...parameters(writer, 'query', route.query),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description}\n\n${TENANT_KEY_NOTE[`${route.tenantKey}`]}`,
    tags: [route.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            // A route whose fields are all optional takes no body at all as `{}`.
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: writer.write(route.body, 'input') } },
          },
        }),
    responses,
    'x-hookline-tenant-key': route.tenantKey,
  };
}

/** A request Hookline makes to an endpoint, as the `webhooks` of the document describe it. */
function webhook(writer: SchemaWriter, hook: Webhook): Json {
  return {
    operationId: hook.operationId,
    summary: hook.summary,
    description: hook.description,
    tags: [WEBHOOK_TAG.name],
    parameters: parameters(writer, 'header', DeliveryHeaders),
    requestBody: {
      required: true,
      // What Hookline sends: open to fields added later, like every response of the API.
      content: { 'application/json': { schema: writer.write(hook.body, 'output') } },
    },
    responses: Object.fromEntries(
      Object.entries(WEBHOOK_ANSWERS).map(([status, answer]) => [status, response(writer, answer)]),
    ),
    // No API key: the receiver knows Hookline by the signature.
    security: [],
  };
}

const DESCRIPTION = `Hookline takes events over HTTP and delivers them, signed, to the subscribed endpoints, with
retries and a dead letter. This document is generated from the zod schemas of \`@hookline/api\`,
which the producer validates every request with; docs/api.md in the repository says more.

- **Keys.** Every \`/v1\` route takes \`Authorization: Bearer <key>\`. An operator key
  (\`HOOKLINE_API_KEYS\`) may use every route. A tenant key, minted through the API for one tenant,
  may use that tenant's endpoints, deliveries, event reads and dead letter
  (\`x-hookline-tenant-key: true\` on an operation); elsewhere it is \`403 forbidden\`. Another
  tenant's objects are \`404\` to it, and naming another tenant's \`tenant_id\` is \`403\`.
- **Errors** are \`{"error": {"code", "message", "details"}}\` with a 4xx for what the caller got
  wrong, \`503\` while Redis is unavailable (nothing half-written); no input produces a 5xx.
- **Lists** answer \`{data, next_cursor}\`; pass \`next_cursor\` back as \`cursor\` (\`null\`: the last
  page). Query strings are as strict as bodies: an unknown or repeated parameter is a 422.
- **Responses may gain fields**: ignore the ones you do not know.
- **Webhooks** are what Hookline sends to endpoints: each event, signed, and Hookline's own
  operational events (\`hookline.*\`).`;

/** The OpenAPI 3.1 document of every `/v1` route in {@link ROUTES}, and of the {@link WEBHOOKS}. */
export function openApiDocument(
  routes: readonly Route[] = ROUTES,
  webhooks: readonly Webhook[] = WEBHOOKS,
): OpenApiDocument {
  const writer = new SchemaWriter();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(writer, route);
  const hooks = Object.fromEntries(webhooks.map((h) => [h.name, { post: webhook(writer, h) }]));
  // Every error answers this body, and the generic errors reference it by name.
  writer.write(ErrorBody, 'output');
  const schemas = Object.fromEntries(
    Object.entries(writer.components).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookline API',
      // The API's version, as in its paths; the document follows the code it is generated from.
      version: 'v1',
      summary:
        'Queue-backed webhook delivery: publish events, Hookline signs, delivers and retries.',
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      {
        url: 'http://localhost:3000',
        description: 'A producer started with `npm start` (`PORT`, default 3000)',
      },
    ],
    security: [{ apiKey: [] }],
    tags: [
      ...Object.entries(ROUTE_TAGS).map(([name, description]) => ({ name, description })),
      WEBHOOK_TAG,
    ],
    paths,
    webhooks: hooks,
    components: {
      schemas,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An operator key (one of `HOOKLINE_API_KEYS`: every route) or a tenant key (one tenant; see each operation’s `x-hookline-tenant-key`). Missing or wrong: `401`.',
        },
      },
    },
  };
}
