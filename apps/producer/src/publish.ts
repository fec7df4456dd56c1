import type { ErrorDetail, OrderingKey, PublishEvent, Published } from '@hookline/api';
import {
  IdempotencyStore,
  prepareEvent,
  randomSlot,
  traceparentOf,
  tracer,
  type HooklineContext,
  type PreparedEvent,
} from '@hookline/core';
import { SpanStatusCode, isSpanContextValid, type Context, type Span } from '@opentelemetry/api';
import { validationFailed } from './validate';

export interface PublishRequest<Body> {
  inputs: readonly PublishEvent[];
  /** Where an input sits in the request body, for error paths: `''` for a single event, `events.3.` in a batch. */
  pathOf: (index: number) => string;
  /** The response body for the published events. */
  answer: (published: Published[]) => Body;
  /** `Idempotency-Key` and its scope; without a key every request publishes. */
  idempotency?: { scope: string; key: string };
  /** The request's valid `traceparent`/`tracestate` headers (trace-context.ts `inboundTrace`). */
  trace?: EventTrace;
  /** The request's span, the publish span's parent (trace-requests.ts `requestContext`). */
  parent: Context;
}

/** The trace context kept with an event: its deliveries' attempts are spans of that trace. */
export interface EventTrace {
  traceparent: string | null;
  tracestate: string | null;
}

/**
 * Each event's trace context: its own from the body (a batch of events from many traces), else
 * the publish span's while tracing is on, else the request's headers as they came.
 */
function traceOf(input: PublishEvent, publish: Span, request: EventTrace | undefined): EventTrace {
  if (input.traceparent)
    return { traceparent: input.traceparent, tracestate: input.tracestate ?? null };
  const own = publish.spanContext();
  if (isSpanContextValid(own))
    return { traceparent: traceparentOf(own), tracestate: own.traceState?.serialize() || null };
  return request ?? { traceparent: null, tracestate: null };
}

/** What an idempotent retry must repeat: the events, not the traces they were sent from. */
function fingerprintOf(inputs: readonly PublishEvent[]): string {
  return IdempotencyStore.fingerprint(
    inputs.map(({ traceparent: _parent, tracestate: _state, ...input }) => input),
  );
}

export type PublishOutcome<Body> =
  | { kind: 'published'; status: 202; body: Body; events: number }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * The `Idempotency-Key` space of a publish: the route and the tenants it publishes for, so the
 * same key used by two tenants' publishers never collides.
 */
export function idempotencyScope(route: string, inputs: readonly PublishEvent[]): string {
  const tenants = [...new Set(inputs.map((input) => input.tenant_id ?? ''))].sort();
  return `${route}|${tenants.join(',')}`;
}

/** Why a named endpoint cannot take an event of `tenant`, or `undefined` when it can. */
function endpointRefusal(
  id: string,
  endpointTenant: string | null | undefined,
  tenant: string | null,
) {
  if (endpointTenant === undefined) return `endpoint ${id} not found`;
  if (endpointTenant === tenant) return undefined;
  return tenant === null
    ? `endpoint ${id} belongs to a tenant: name its tenant_id on the event`
    : `endpoint ${id} is not an endpoint of tenant ${tenant}`;
}

/** A 422 naming each `endpoint_ids` entry that does not exist or belongs to another tenant. */
async function checkNamedEndpoints<Body>(
  context: HooklineContext,
  request: PublishRequest<Body>,
): Promise<void> {
  const named = [...new Set(request.inputs.flatMap((input) => input.endpoint_ids ?? []))];
  const owners = (await context.endpoints.getMany(named)).map((e) => e?.tenant_id);
  const ownerOf = new Map(named.map((id, i) => [id, owners[i]]));
  const details: ErrorDetail[] = request.inputs.flatMap((input, i) =>
    (input.endpoint_ids ?? []).flatMap((id, n) => {
      const message = endpointRefusal(id, ownerOf.get(id), input.tenant_id ?? null);
      return message ? [{ path: `${request.pathOf(i)}endpoint_ids.${n}`, message }] : [];
    }),
  );
  if (details.length > 0) throw validationFailed(details);
}

/**
 * The endpoints each input goes to: every enabled endpoint of its tenant (none: of no tenant)
 * subscribed to its name, or, with `endpoint_ids`, those of them that are. Ids that do not exist
 * or belong to another tenant are a 422 naming each one, and nothing is published.
 */
async function resolveEndpoints<Body>(
  context: HooklineContext,
  request: PublishRequest<Body>,
): Promise<string[][]> {
  if (request.inputs.some((input) => input.endpoint_ids !== undefined))
    await checkNamedEndpoints(context, request);
  // A batch's events mostly share a few names: each distinct route is read once per request.
  const reads = new Map<string, Promise<string[]>>();
  return Promise.all(
    request.inputs.map((input) => {
      const only = input.endpoint_ids ? [...new Set(input.endpoint_ids)] : undefined;
      // Event names and tenant ids hold no spaces and never start with '[' (their schemas).
      const route = only
        ? JSON.stringify([input.name, input.tenant_id ?? null, only])
        : `${input.name} ${input.tenant_id ?? ''}`;
      let read = reads.get(route);
      if (!read) {
        read = context.endpoints.matching(input.name, input.tenant_id ?? null, only);
        reads.set(route, read);
      }
      return read;
    }),
  );
}

/**
 * What a publish needs of each tenant the inputs publish for (null: untenanted), read once per
 * tenant: its ordered endpoints, whose deliveries are lined up (README, "Ordered endpoints"), and
 * its weight, its share of the front lane (README, "Tenant fairness").
 */
async function tenantsOf(
  context: HooklineContext,
  inputs: readonly PublishEvent[],
): Promise<Map<string | null, { orderings: ReadonlyMap<string, OrderingKey>; weight: number }>> {
  const tenants = [...new Set(inputs.map((input) => input.tenant_id ?? null))];
  const read = await Promise.all(
    tenants.map(async (tenant) => {
      const [orderings, weight] = await Promise.all([
        context.endpoints.orderings(tenant),
        context.tenants.weight(tenant),
      ]);
      return { orderings, weight };
    }),
  );
  return new Map(tenants.map((tenant, i) => [tenant, read[i]!]));
}

/**
 * Publishes events: writes each with its deliveries and jobs, and, under an `Idempotency-Key`,
 * the response in the same transaction, so a retry either finds the whole publish or nothing.
 * A retry of a finished publish gets its response back and writes nothing; a concurrent one
 * waits for the first to finish (the idempotency store does that).
 */
export function publishEvents<Body>(
  context: HooklineContext,
  request: PublishRequest<Body>,
  now: number,
): Promise<PublishOutcome<Body>> {
  const span = tracer().startSpan(
    'publish',
    { attributes: { 'hookline.event.count': request.inputs.length } },
    request.parent,
  );
  return publishIn(span, context, request, now).then(
    (outcome) => {
      span.end();
      return outcome;
    },
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      throw error;
    },
  );
}

async function publishIn<Body>(
  span: Span,
  context: HooklineContext,
  request: PublishRequest<Body>,
  now: number,
): Promise<PublishOutcome<Body>> {
  const claim = request.idempotency
    ? await context.idempotency.begin(
        request.idempotency.scope,
        request.idempotency.key,
        fingerprintOf(request.inputs),
      )
    : undefined;
  if (claim?.kind === 'replay') return { kind: 'replay', status: claim.status, body: claim.body };
  try {
    const [endpointIds, tenants] = await Promise.all([
      resolveEndpoints(context, request),
      tenantsOf(context, request.inputs),
    ]);
    // Every event of one publish names the same slot, so they land in one shard and are written
    // in one transaction with the idempotency record, which the key's hash placed there too.
    const slot = claim?.slot ?? randomSlot();
    const prepared: PreparedEvent[] = request.inputs.map((input, i) => ({
      ...prepareEvent(input, endpointIds[i] ?? [], { now, slot }),
      ...traceOf(input, span, request.trace),
      ...tenants.get(input.tenant_id ?? null),
    }));
    const body = request.answer(
      prepared.map((p) => ({ id: p.event.id, deliveries: p.endpointIds.length })),
    );
    await context.publisher.publish(
      prepared,
      claim ? (multi) => context.idempotency.complete(multi, claim, 202, body) : undefined,
      now,
    );
    return { kind: 'published', status: 202, body, events: prepared.length };
  } catch (error) {
    if (claim) await context.idempotency.abandon(claim);
    throw error;
  }
}
