import type { RedisKeys } from '../redis/keys';

/** What a compare-and-set of an endpoint writes (commands/put-endpoint-4.lua). */
export interface PutEndpoint {
  id: string;
  /** The tenant (null: none); it never changes, so either side of the write names it. */
  tenantId: string | null;
  /** The JSON expected now ('' = it must not exist). */
  before: string;
  /** The new JSON ('' = delete). */
  after: string;
  /** Index sets it leaves and joins. */
  leave: readonly string[];
  join: readonly string[];
  /** The most endpoints its tenant may have, checked when it is created (undefined: no limit). */
  maxPerTenant?: number;
}

export type PutEndpointArgs = [
  endpoint: string,
  endpoints: string,
  tenants: string,
  tenantEndpoints: string,
  id: string,
  before: string,
  after: string,
  leave: string,
  join: string,
  tenant: string,
  changes: string,
  maxPerTenant: string,
];

/** The arguments of commands/put-endpoint-4.lua, in its order (its header names each one). */
export function putEndpointArgs(keys: RedisKeys, put: PutEndpoint): PutEndpointArgs {
  return [
    keys.endpoint(put.id),
    keys.endpoints,
    keys.tenants,
    put.tenantId === null ? keys.endpoints : keys.tenantEndpoints(put.tenantId),
    put.id,
    put.before,
    put.after,
    JSON.stringify(put.leave),
    JSON.stringify(put.join),
    put.tenantId ?? '',
    keys.endpointChanges,
    put.maxPerTenant === undefined ? '' : String(put.maxPerTenant),
  ];
}
