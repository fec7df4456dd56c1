import type {
  Delivery,
  Endpoint,
  Event,
  EventWithDeliveries,
  Published,
  TenantKey,
} from '@hookline/api';
import fc from 'fast-check';
import request from 'supertest';
import { endpointBody, expectError, startApp, type Harness } from './harness';

// Tenant isolation as properties (docs/api.md, "Tenants"): random tenants, endpoints and events
// are published through the API against real Redis, and every event's deliveries must go to
// exactly the endpoints a model of the routing rule names, never to another tenant's. The model
// is a few lines of its own, not the store's index: an event with a tenant reaches that tenant's
// enabled endpoints subscribed to its name (exact, `prefix.*`, `*`, or no event_types at all);
// one without reaches only enabled untenanted endpoints; `endpoint_ids` narrows that to the
// endpoints it names, and naming one of another tenant (or none) is a 422 that publishes nothing.
//
// Every run adds to the same prefix and nothing is cleaned between runs, so the model holds
// every endpoint, event and dead delivery this file ever made: later runs route among earlier
// runs' endpoints too.

const TENANTS = ['acme', 'globex', 'initech'] as const;
const NAMES = ['order', 'order.paid', 'order.refund.issued', 'orders.paid', 'user.created'];
/** Exact names, prefixes on and off a dot boundary, `*`, and one that matches nothing. */
const FILTERS = [
  '*',
  'order.*',
  'order.refund.*',
  'order.paid',
  'order',
  'orders.*',
  'user.created',
  'never.sent',
];

// No shrinking: every run changes the world the next one routes in, so a shrunk counterexample
// replayed later would not be the failure seen. The first failing run is the one reported.
const RUNS = { numRuns: 40, interruptAfterTimeLimit: 90_000, endOnFailure: true };
const TIMEOUT_MS = 180_000;

type Tenant = string | null;

interface ModelEndpoint {
  id: string;
  tenant: Tenant;
  filters: string[];
  disabled: boolean;
  deleted: boolean;
}

interface ModelDelivery {
  id: string;
  endpoint: ModelEndpoint;
  dead: boolean;
}

/** Everything this file has made under its prefix. */
const world = {
  endpoints: [] as ModelEndpoint[],
  events: [] as { id: string; tenant: Tenant }[],
  deliveries: [] as ModelDelivery[],
};

/** The routing rule's subscription test, written out independently of the store. */
function subscribed(filters: readonly string[], name: string): boolean {
  if (filters.length === 0) return true;
  return filters.some(
    (f) => f === '*' || f === name || (f.endsWith('.*') && name.startsWith(f.slice(0, -1))),
  );
}

function receives(endpoint: ModelEndpoint, tenant: Tenant, name: string): boolean {
  return (
    !endpoint.deleted &&
    !endpoint.disabled &&
    endpoint.tenant === tenant &&
    subscribed(endpoint.filters, name)
  );
}

/** Whether naming `endpoint` on an event of `tenant` is refused: gone, or another tenant's. */
function refused(endpoint: ModelEndpoint, tenant: Tenant): boolean {
  return endpoint.deleted || endpoint.tenant !== tenant;
}

// --- What a run does, as data -------------------------------------------------------------

const tenantArb = fc.option(fc.constantFrom(...TENANTS), { nil: null, freq: 3 });

const endpointArb = fc.record({
  tenant: tenantArb,
  // `undefined`: the field is left out (the API's default, no event_types: all events).
  filters: fc.option(fc.subarray(FILTERS, { maxLength: 3 }), { nil: undefined }),
  disabled: fc.boolean(),
});

/** A change to an endpoint made earlier (this run or any before), picked by index. */
const changeArb = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom('disable', 'enable', 'delete'),
});

/**
 * An endpoint named in `endpoint_ids`: mostly one of the event's own tenant (`own`), sometimes
 * any endpoint ever made, deleted ones included.
 */
const namedArb = fc.record({ own: fc.boolean(), pick: fc.nat() });

const eventArb = fc.record({
  tenant: tenantArb,
  name: fc.constantFrom(...NAMES),
  named: fc.option(fc.array(namedArb, { maxLength: 4 }), { nil: undefined, freq: 2 }),
});

const runArb = fc.record({
  endpoints: fc.array(endpointArb, { minLength: 1, maxLength: 5 }),
  changes: fc.array(changeArb, { maxLength: 3 }),
  events: fc.array(eventArb, { minLength: 1, maxLength: 6 }),
  batch: fc.boolean(),
  /** Which of the run's new deliveries to dead-letter, in order. */
  kill: fc.array(fc.boolean(), { maxLength: 40 }),
});

type Run = typeof runArb extends fc.Arbitrary<infer T> ? T : never;
type EventSpec = Run['events'][number];

// --- Running it through the API -----------------------------------------------------------

let h: Harness;
const tenantKeys = new Map<string, string>();

beforeAll(async () => {
  h = await startApp('tenant-routing');
  for (const tenant of TENANTS)
    tenantKeys.set(
      tenant,
      ((await h.api.post(`/v1/tenants/${tenant}/keys`, {}).expect(201)).body as TenantKey).key,
    );
});
afterAll(() => h.close());

async function createEndpoints(specs: Run['endpoints']) {
  for (const spec of specs) {
    const body: Record<string, unknown> = { disabled: spec.disabled };
    if (spec.tenant !== null) body.tenant_id = spec.tenant;
    if (spec.filters !== undefined) body.event_types = spec.filters;
    const res = await h.api.post('/v1/endpoints', endpointBody(body));
    expect(res.status).toBe(201);
    const created = res.body as Endpoint;
    expect(created.tenant_id).toBe(spec.tenant);
    world.endpoints.push({
      id: created.id,
      tenant: spec.tenant,
      filters: spec.filters ?? [],
      disabled: spec.disabled,
      deleted: false,
    });
  }
}

async function applyChanges(changes: Run['changes']) {
  for (const { pick, action } of changes) {
    const live = world.endpoints.filter((e) => !e.deleted);
    const endpoint = live[pick % live.length];
    if (!endpoint) continue;
    if (action === 'delete') {
      await h.api.delete(`/v1/endpoints/${endpoint.id}`).expect(204);
      endpoint.deleted = true;
    } else {
      const disabled = action === 'disable';
      await h.api.patch(`/v1/endpoints/${endpoint.id}`, { disabled }).expect(200);
      endpoint.disabled = disabled;
    }
  }
}

/** The event as sent, and what the model says must come of it. */
function resolve(spec: EventSpec) {
  const named = spec.named?.map(({ own, pick }) => {
    const mine = world.endpoints.filter((e) => e.tenant === spec.tenant);
    const pool = own && mine.length > 0 ? mine : world.endpoints;
    return pool[pick % pool.length]!;
  });
  const body: Record<string, unknown> = { name: spec.name, data: {} };
  if (spec.tenant !== null) body.tenant_id = spec.tenant;
  if (named !== undefined) body.endpoint_ids = named.map((e) => e.id);
  const refusals = (named ?? []).flatMap((e, n) =>
    refused(e, spec.tenant) ? [`endpoint_ids.${n}`] : [],
  );
  const candidates = named ? [...new Set(named)] : world.endpoints;
  const expected = candidates
    .filter((e) => receives(e, spec.tenant, spec.name))
    .map((e) => e.id)
    .sort();
  return { spec, body, refusals, expected };
}

type Resolved = ReturnType<typeof resolve>;

/** Publishes the run's events (one by one or as one batch); `undefined` for each one refused. */
async function publish(resolved: Resolved[], batch: boolean): Promise<(Published | undefined)[]> {
  const refusedPaths = (prefix: (i: number) => string) =>
    resolved.flatMap((r, i) => r.refusals.map((p) => `${prefix(i)}${p}`));
  const expectRefused = async (send: () => Promise<request.Response>, paths: string[]) => {
    const before = await h.settledKeys();
    const res = await send();
    expect(res.status).toBe(422);
    expectError(res.body, 'validation_failed');
    const details = (res.body as { error: { details: { path: string }[] } }).error.details;
    expect(details.map((d) => d.path).sort()).toEqual([...paths].sort());
    expect(await h.settledKeys()).toEqual(before);
  };

  if (batch) {
    const paths = refusedPaths((i) => `events.${i}.`);
    const send = () => h.api.post('/v1/events/batch', { events: resolved.map((r) => r.body) });
    if (paths.length > 0) {
      await expectRefused(send, paths);
      return resolved.map(() => undefined);
    }
    const res = await send();
    expect(res.status).toBe(202);
    return (res.body as { data: Published[] }).data;
  }

  const published: (Published | undefined)[] = [];
  for (const r of resolved) {
    const send = () => h.api.post('/v1/events', r.body);
    if (r.refusals.length > 0) {
      await expectRefused(send, r.refusals);
      published.push(undefined);
      continue;
    }
    const res = await send();
    expect(res.status).toBe(202);
    published.push(res.body as Published);
  }
  return published;
}

/** Dead-letters some of the new deliveries, as a dispatcher does when attempts run out. */
async function kill(deliveries: ModelDelivery[], mask: boolean[]) {
  for (const [i, delivery] of deliveries.entries()) {
    if (!mask[i]) continue;
    const job = await h.context.inFlight.get(delivery.id);
    expect(job?.tenantId).toBe(delivery.endpoint.tenant);
    await h.settle(delivery.id, 'dead');
    delivery.dead = true;
  }
}

/**
 * One run: endpoints created, some earlier ones changed, events published, their deliveries
 * checked against the model, and some of them dead-lettered.
 */
async function play(run: Run) {
  await createEndpoints(run.endpoints);
  await applyChanges(run.changes);
  const resolved = run.events.map(resolve);
  const published = await publish(resolved, run.batch);
  const fresh: ModelDelivery[] = [];
  for (const [i, r] of resolved.entries()) {
    const answer = published[i];
    if (answer === undefined) continue;
    world.events.push({ id: answer.id, tenant: r.spec.tenant });
    const event = (await h.api.get(`/v1/events/${answer.id}`).expect(200))
      .body as EventWithDeliveries;
    // The event sent rides along, so a failure says which one went where.
    expect({
      sent: r.body,
      tenant: event.tenant_id,
      name: event.name,
      answered: answer.deliveries,
      endpoints: event.deliveries.map((d) => d.endpoint_id).sort(),
    }).toEqual({
      sent: r.body,
      tenant: r.spec.tenant,
      name: r.spec.name,
      answered: r.expected.length,
      endpoints: r.expected,
    });
    for (const d of event.deliveries) {
      expect(d.status).toBe('pending');
      const endpoint = world.endpoints.find((e) => e.id === d.endpoint_id)!;
      fresh.push({ id: d.id, endpoint, dead: false });
    }
  }
  world.deliveries.push(...fresh);
  await kill(fresh, run.kill);
}

/** Every id of a paged list, following `next_cursor` to the end. */
async function everyId(get: (path: string) => request.Test, path: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  const join = path.includes('?') ? '&' : '?';
  do {
    const res = await get(`${path}${join}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect([path, res.status]).toEqual([path, 200]);
    const page = res.body as { data: (Event | Delivery)[]; next_cursor: string | null };
    ids.push(...page.data.map((item) => item.id));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return ids;
}

/** What the model says a dead letter holds: dead deliveries whose endpoint still exists. */
function deadLetter(where: (d: ModelDelivery) => boolean): string[] {
  return world.deliveries
    .filter((d) => d.dead && !d.endpoint.deleted && where(d))
    .map((d) => d.id)
    .sort()
    .reverse();
}

test(
  'every event’s deliveries go to exactly the endpoints the routing rule names, never another tenant’s',
  () => fc.assert(fc.asyncProperty(runArb, play), RUNS),
  TIMEOUT_MS,
);

test(
  'the event and dead-letter lists of a tenant hold exactly that tenant’s, for an operator and for its key',
  () =>
    fc.assert(
      fc.asyncProperty(
        runArb,
        fc.integer({ min: 5, max: 60 }),
        fc.nat(),
        async (run, limit, pick) => {
          await play(run);
          await h.logged();
          const operator = (path: string) => h.api.get(path);
          const newestFirst = (ids: string[]) => [...ids].sort().reverse();
          expect(await everyId(operator, '/v1/events', limit)).toEqual(
            newestFirst(world.events.map((e) => e.id)),
          );
          expect(await everyId(operator, '/v1/dead-letter', limit)).toEqual(deadLetter(() => true));
          for (const tenant of TENANTS) {
            const events = newestFirst(
              world.events.filter((e) => e.tenant === tenant).map((e) => e.id),
            );
            const dead = deadLetter((d) => d.endpoint.tenant === tenant);
            const key = tenantKeys.get(tenant)!;
            const asTenant = (path: string) =>
              request(h.app).get(path).set('Authorization', `Bearer ${key}`);
            expect(await everyId(operator, `/v1/events?tenant_id=${tenant}`, limit)).toEqual(
              events,
            );
            expect(await everyId(asTenant, '/v1/events', limit)).toEqual(events);
            expect(await everyId(operator, `/v1/dead-letter?tenant_id=${tenant}`, limit)).toEqual(
              dead,
            );
            expect(await everyId(asTenant, '/v1/dead-letter', limit)).toEqual(dead);
          }
          // One endpoint's dead letter within a tenant: its own if the tenants agree, else nothing.
          const live = world.endpoints.filter((e) => !e.deleted);
          const endpoint = live[pick % live.length];
          if (endpoint) {
            for (const tenant of TENANTS) {
              expect(
                await everyId(
                  operator,
                  `/v1/dead-letter?tenant_id=${tenant}&endpoint_id=${endpoint.id}`,
                  limit,
                ),
              ).toEqual(
                endpoint.tenant === tenant ? deadLetter((d) => d.endpoint === endpoint) : [],
              );
            }
          }
        },
      ),
      { ...RUNS, numRuns: 25 },
    ),
  TIMEOUT_MS,
);
