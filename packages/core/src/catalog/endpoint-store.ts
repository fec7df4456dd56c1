import {
  isOperationalName,
  type Endpoint,
  type EndpointCreate,
  type EndpointPatch,
  OrderingKey,
  type PageRequest,
  type Resealed,
} from '@hookline/api';
import { generateSecret, generateSigningKey, publicKeyOf } from '@hookline/webhooks';
import type { ChainableCommander, Redis } from 'ioredis';
import { newId } from '../ids';
import type { RedisKeys } from '../redis/keys';
import { authView, storedAuth } from './endpoint-auth';
import { endpointAddress } from './broker-url';
import { putEndpointArgs } from './put-endpoint-args';
import { rateLimitArgs } from './rate-limit-args';
import { pageOfSet, type PageResult } from '../pagination';
import { SealedEndpoint, type StoredEndpoint } from '../schemas';
import { execAll } from '../redis/exec';
import type { Sealer } from '../sealing/sealer';
import { openEndpoint, sealEndpoint, sealedUnderCurrentKey } from './endpoint-secrets';
import { TenantEndpointLimitError } from '../errors';

const MAX_CAS_RETRIES = 10;
const ORDERING_KEYS = OrderingKey.options;
/** What commands/put-endpoint-4.lua answers when a create would take a tenant over its limit. */
const OVER_LIMIT = -1;
/** Endpoint ids read a page at a time while resealing (each endpoint is then read and written alone). */
const RESEAL_PAGE = 200;

/** Writes to make in the same transaction as an endpoint's change, given the changed endpoint. */
export type InTransaction = (multi: ChainableCommander, next: StoredEndpoint) => void;

/**
 * The endpoint as the API shows it: everything but its secrets (a `v1a` one's public key; its
 * authentication without client secret or private key).
 */
export function endpointView(endpoint: StoredEndpoint): Endpoint {
  const {
    secrets: _secrets,
    disabled_reason: _reason,
    broker_url: _brokerUrl,
    auth,
    ...view
  } = endpoint;
  return {
    ...view,
    public_key: endpoint.signature === 'v1a' ? publicKeyOf(endpoint.secrets[0]!.key) : null,
    auth: auth ? authView(auth) : null,
  };
}

/**
 * What receivers verify the current key with: the `whsec_` secret itself (`v1`), or the public
 * key of the `whsk_` signing key (`v1a`), which never leaves Hookline.
 */
export function verificationKey(endpoint: StoredEndpoint, key = endpoint.secrets[0]!.key): string {
  return endpoint.signature === 'v1a' ? publicKeyOf(key) : key;
}

/** A new key of the endpoint's scheme. */
const newKeyFor = (signature: StoredEndpoint['signature']) =>
  signature === 'v1a' ? generateSigningKey() : generateSecret();

/** The secrets an endpoint signs with at `now`: the current one, and old ones still in their grace period. */
export function activeSecrets(endpoint: StoredEndpoint, now: number): string[] {
  return endpoint.secrets
    .filter((s) => s.expires_at === null || s.expires_at > now)
    .map((s) => s.key);
}

/**
 * Whether an endpoint subscribed with `filters` gets events named `name`. An operational event
 * (`hookline.…`) needs a filter naming it or a prefix of it: no filter, or `*`, is not enough.
 */
export function matchesEventType(
  filters: readonly string[],
  name: string,
  operational = isOperationalName(name),
): boolean {
  if (filters.length === 0) return !operational;
  return filters.some(
    (f) =>
      (f === '*' && !operational) ||
      f === name ||
      (f.endsWith('.*') && name.startsWith(f.slice(0, -1))),
  );
}

/**
 * Endpoints, their secrets and their event-type index, in Redis. Every secret of an endpoint is
 * sealed (endpoint-secrets.ts) on its way to Redis and opened on its way back: what this store
 * hands out holds them plain, what Redis holds (and its files and replicas) does not.
 */
export class EndpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly sealer: Sealer,
    /** Opens a transaction that BullMQ jobs can be added to (bullmq/transactions.ts). */
    private readonly transaction: () => Promise<ChainableCommander> = () =>
      Promise.resolve(this.redis.multi()),
  ) {}

  /** The index sets of its tenant that an enabled endpoint with these filters belongs to. */
  private indexKeys(endpoint: StoredEndpoint | undefined): string[] {
    if (!endpoint || endpoint.disabled) return [];
    const tenant = endpoint.tenant_id;
    const filters = endpoint.event_types;
    // `*` (or no filter) joins the catch-all set; the other filters join theirs too, since an
    // operational event never reads the catch-all set (`['*', 'hookline.*']` gets both kinds).
    const keys = filters
      .filter((f) => f !== '*')
      .map((f) =>
        f.endsWith('.*')
          ? this.keys.indexPrefix(tenant, f.slice(0, -1))
          : this.keys.indexExact(tenant, f),
      );
    if (filters.length === 0 || filters.includes('*')) keys.push(this.keys.indexAll(tenant));
    if (endpoint.ordering) keys.push(this.keys.indexOrdered(tenant, endpoint.ordering.key));
    return keys;
  }

  private async put(
    id: string,
    before: string,
    after: StoredEndpoint | undefined,
    old: StoredEndpoint | undefined,
    finish?: InTransaction,
    maxPerTenant?: number,
  ): Promise<boolean> {
    // tenant_id never changes, so either side names the endpoint's tenant.
    const tenant = (after ?? old)?.tenant_id ?? null;
    const args = putEndpointArgs(this.keys, {
      id,
      tenantId: tenant,
      before,
      after: after ? JSON.stringify(sealEndpoint(this.sealer, after)) : '',
      leave: this.indexKeys(old),
      join: this.indexKeys(after),
      maxPerTenant,
    });
    if (!finish || !after) {
      const written = await this.redis.hlPutEndpoint(...args);
      if (written === OVER_LIMIT) throw new TenantEndpointLimitError(tenant!, maxPerTenant!);
      return written === 1;
    }
    // With more to write in the same step: one transaction, whose extra writes only take
    // effect as far as their readers check that the compare-and-set went through.
    const multi = await this.transaction();
    multi.hlPutEndpoint(...args);
    finish(multi, after);
    const [written] = await execAll(multi);
    return written === 1;
  }

  /** An endpoint's record as Redis holds it (`stored`, sealed), and opened (`endpoint`). */
  private async read(
    id: string,
  ): Promise<{ raw: string; stored: SealedEndpoint; endpoint: StoredEndpoint } | undefined> {
    const raw = await this.redis.get(this.keys.endpoint(id));
    if (raw === null) return undefined;
    const stored = SealedEndpoint.parse(JSON.parse(raw));
    return { raw, stored, endpoint: openEndpoint(this.sealer, stored) };
  }

  async get(id: string): Promise<StoredEndpoint | undefined> {
    return (await this.read(id))?.endpoint;
  }

  /**
   * Creates an endpoint. With `maxPerTenant`, a tenant that has that many endpoints already gets
   * none more: {@link TenantEndpointLimitError}, checked in the same atomic step as the write.
   */
  async create(
    input: EndpointCreate,
    now = Date.now(),
    maxPerTenant?: number,
  ): Promise<StoredEndpoint> {
    const at = new Date(now).toISOString();
    const { secret, ...fields } = input;
    const auth = input.type === 'http' ? input.auth : null;
    const endpoint: StoredEndpoint = {
      id: newId('ep', now),
      exchange: null,
      routing_key: null,
      subject: null,
      ...fields,
      ...endpointAddress(input.type, input.url),
      auth: auth ? storedAuth(auth) : null,
      created_at: at,
      updated_at: at,
      secrets: [{ key: secret ?? newKeyFor(input.signature), expires_at: null }],
      disabled_reason: input.disabled ? 'disabled by the API' : null,
    };
    await this.put(endpoint.id, '', endpoint, undefined, undefined, maxPerTenant);
    return endpoint;
  }

  /**
   * Applies `change` to the endpoint's current state and writes it if nobody changed it
   * meanwhile (compare-and-set, retried). Returns `undefined` when there is no such endpoint.
   */
  async mutate(
    id: string,
    change: (endpoint: StoredEndpoint) => StoredEndpoint | undefined,
    finish?: InTransaction,
  ): Promise<StoredEndpoint | undefined> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const current = await this.read(id);
      if (!current) return undefined;
      const next = change(current.endpoint);
      if (next === undefined) return current.endpoint;
      if (await this.put(id, current.raw, next, current.endpoint, finish)) return next;
    }
    throw new Error(`endpoint ${id} kept changing; gave up after ${MAX_CAS_RETRIES} tries`);
  }

  /**
   * Seals the endpoint's secrets again under the current key when any of them is not (sealed
   * under an older key, or written before sealing), compare-and-set like every write so that a
   * change made meanwhile is kept, not overwritten. Its content, `updated_at` included, stays.
   */
  async reseal(id: string): Promise<'resealed' | 'current' | 'gone'> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const current = await this.read(id);
      if (!current) return 'gone';
      if (sealedUnderCurrentKey(this.sealer, current.stored)) return 'current';
      if (await this.put(id, current.raw, current.endpoint, current.endpoint)) return 'resealed';
    }
    throw new Error(`endpoint ${id} kept changing; gave up after ${MAX_CAS_RETRIES} tries`);
  }

  /** {@link reseal} of every endpoint, a page at a time (the catalog holds them all: no shards to walk). */
  async resealAll(): Promise<Resealed> {
    const done: Resealed = { resealed: 0, already_current: 0 };
    let cursor: string | undefined;
    do {
      const page = await pageOfSet(this.redis, this.keys.endpoints, {
        limit: RESEAL_PAGE,
        cursor,
      });
      for (const id of page.items) {
        const outcome = await this.reseal(id);
        if (outcome === 'resealed') done.resealed += 1;
        if (outcome === 'current') done.already_current += 1;
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    return done;
  }

  async update(
    id: string,
    patch: EndpointPatch,
    now = Date.now(),
  ): Promise<StoredEndpoint | undefined> {
    const { auth, url, ...fields } = patch;
    return this.mutate(id, (endpoint) => {
      const next: StoredEndpoint = {
        ...endpoint,
        ...fields,
        ...(url === undefined ? {} : endpointAddress(endpoint.type, url)),
        updated_at: new Date(now).toISOString(),
      };
      if (auth !== undefined) next.auth = auth ? storedAuth(auth) : null;
      if (patch.disabled === false) next.disabled_reason = null;
      if (patch.disabled === true && !endpoint.disabled)
        next.disabled_reason = 'disabled by the API';
      return next;
    });
  }

  /**
   * Disables an endpoint (410 Gone, or failing for too long); no-op when already disabled.
   * `finish` adds writes to the transaction that disables it (the operational event's job).
   */
  async disable(
    id: string,
    reason: string,
    now = Date.now(),
    finish?: InTransaction,
  ): Promise<StoredEndpoint | undefined> {
    return this.mutate(
      id,
      (endpoint) =>
        endpoint.disabled
          ? undefined
          : {
              ...endpoint,
              disabled: true,
              disabled_reason: reason,
              updated_at: new Date(now).toISOString(),
            },
      finish,
    );
  }

  /**
   * Makes `key` (or a new secret, or `v1a` key) the current one; the previous current one keeps
   * signing until `now + graceMs`. Secrets already past their grace period are dropped. Returns
   * what receivers verify the new one with (verificationKey).
   */
  async rotateSecret(id: string, key: string | undefined, graceMs: number, now = Date.now()) {
    let newKey = key;
    const endpoint = await this.mutate(id, (endpoint) => {
      newKey = key ?? newKeyFor(endpoint.signature);
      return {
        ...endpoint,
        updated_at: new Date(now).toISOString(),
        secrets: [
          { key: newKey, expires_at: null },
          ...endpoint.secrets
            .map((s) => (s.expires_at === null ? { ...s, expires_at: now + graceMs } : s))
            .filter((s) => s.expires_at! > now && s.key !== newKey),
        ],
      };
    });
    return endpoint && newKey ? verificationKey(endpoint, newKey) : undefined;
  }

  /**
   * Deletes an endpoint, its index entries, health and rate limiter. False if not found. Its
   * deliveries still waiting are the caller's to drop (deliveries.ts `dropWaitingOf`).
   */
  async delete(id: string): Promise<boolean> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const current = await this.read(id);
      if (!current) return false;
      if (!(await this.put(id, current.raw, undefined, current.endpoint))) continue;
      await execAll(
        this.redis
          .multi()
          .del(
            this.keys.endpointHealth(id),
            this.keys.rateLimit(id),
            this.keys.rateLimitReservations(id),
          ),
      );
      return true;
    }
    throw new Error(`endpoint ${id} kept changing; gave up after ${MAX_CAS_RETRIES} tries`);
  }

  /** Endpoints in creation order: every one, or one tenant's (the cost is the page, not the installation). */
  async list(
    page: PageRequest & { tenant_id?: string | undefined },
  ): Promise<PageResult<Endpoint>> {
    const set =
      page.tenant_id === undefined
        ? this.keys.endpoints
        : this.keys.tenantEndpoints(page.tenant_id);
    const { items, next_cursor } = await pageOfSet(this.redis, set, page);
    const data = (await this.getMany(items)).flatMap((e) => (e ? [endpointView(e)] : []));
    return { data, next_cursor };
  }

  /**
   * The enabled endpoints of `tenant` (null: untenanted ones) subscribed to `name`, from that
   * tenant's index only: `all`, the exact name, and every dotted prefix (`a.b.c` → `a.*`,
   * `a.b.*`). Restricted to `only` when given.
   */
  async matching(name: string, tenant: string | null, only?: readonly string[]): Promise<string[]> {
    // Operational events go only to endpoints that asked for them by name or prefix: an endpoint
    // subscribed to everything was set up for the publisher's events, not Hookline's.
    const operational = isOperationalName(name);
    const sets = [this.keys.indexExact(tenant, name)];
    if (!operational) sets.push(this.keys.indexAll(tenant));
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
      sets.push(this.keys.indexPrefix(tenant, name.slice(0, i + 1)));
    }
    if (only) {
      const endpoints = await this.getMany(only);
      return only.filter((_, i) => {
        const endpoint = endpoints[i];
        return (
          endpoint !== undefined &&
          endpoint.tenant_id === tenant &&
          !endpoint.disabled &&
          matchesEventType(endpoint.event_types, name, operational)
        );
      });
    }
    const ids = await this.redis.sunion(...sets);
    return ids.sort();
  }

  /**
   * The tenant's enabled ordered endpoints (null: the untenanted ones) and what each lines its
   * deliveries up by: what a publish asks once per tenant, beside {@link matching}.
   */
  async orderings(tenant: string | null): Promise<Map<string, OrderingKey>> {
    const pipeline = this.redis.pipeline();
    for (const key of ORDERING_KEYS) pipeline.smembers(this.keys.indexOrdered(tenant, key));
    const members = (await execAll(pipeline)) as string[][];
    const orderings = new Map<string, OrderingKey>();
    ORDERING_KEYS.forEach((key, i) => {
      for (const id of members[i]!) orderings.set(id, key);
    });
    return orderings;
  }

  /**
   * Asks the endpoint's rate limiter (shared by every dispatcher) for a slot for `token` (a
   * delivery id). Returns 0 when the delivery may go now, else the ms until its reserved slot.
   */
  async rateLimitWait(
    endpointId: string,
    perSecond: number,
    token: string,
    now = Date.now(),
  ): Promise<number> {
    return this.redis.hlRateLimit(...rateLimitArgs(this.keys, endpointId, perSecond, token, now));
  }

  /** Endpoints by id, in one read, in the order of `ids`; `undefined` for one that does not exist. */
  async getMany(ids: readonly string[]): Promise<(StoredEndpoint | undefined)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.endpoint(id)));
    return raws.map((raw) =>
      raw === null ? undefined : openEndpoint(this.sealer, SealedEndpoint.parse(JSON.parse(raw))),
    );
  }
}
