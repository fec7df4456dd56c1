--[[
  Compare-and-set of an endpoint with its event-type index, so that concurrent updates, a
  dispatcher disabling the endpoint and a delete never leave the index pointing the wrong way.
  A write also publishes the endpoint's id on the changes channel in the same atomic step: no
  change can be made without being announced to the dispatchers caching endpoints. A tenant is
  listed while it has endpoints: it joins the tenants zset with its first and leaves it with its
  last. Creating a tenant's endpoint checks its count here, so that two creates at the limit
  cannot both pass.

  Input:
    KEYS[1] endpoint key (its JSON)
    KEYS[2] endpoints zset (every endpoint)
    KEYS[3] tenants zset (every tenant that has an endpoint)
    KEYS[4] the tenant's endpoints zset (KEYS[2] again for an untenanted endpoint)

    ARGV[1] endpoint id
    ARGV[2] the JSON expected now ('' = it must not exist)
    ARGV[3] the new JSON ('' = delete)
    ARGV[4] index sets to leave (JSON array of keys)
    ARGV[5] index sets to join (JSON array of keys)
    ARGV[6] tenant id ('' = none)
    ARGV[7] changes channel
    ARGV[8] the most endpoints the tenant may have, checked on creation ('' = no limit)

  Output: 1 when written, 0 when the endpoint changed meanwhile (the caller reads and retries),
  -1 when creating it would take the tenant over its limit (nothing written).
]]
local endpointKey = KEYS[1]
local endpointsKey = KEYS[2]
local tenantsKey = KEYS[3]
local tenantEndpointsKey = KEYS[4]

local id = ARGV[1]
local expected = ARGV[2]
local new = ARGV[3]
local leave = cjson.decode(ARGV[4])
local join = cjson.decode(ARGV[5])
local tenant = ARGV[6]
local changesChannel = ARGV[7]
local maxEndpoints = tonumber(ARGV[8])

local OVER_LIMIT = -1

local current = redis.call('GET', endpointKey)
if (current or '') ~= expected then return 0 end
local creating = expected == '' and new ~= ''
if creating and tenant ~= '' and maxEndpoints
  and redis.call('ZCARD', tenantEndpointsKey) >= maxEndpoints then
  return OVER_LIMIT
end

for _, key in ipairs(leave) do redis.call('SREM', key, id) end
if new == '' then
  redis.call('DEL', endpointKey)
  redis.call('ZREM', endpointsKey, id)
  if tenant ~= '' then
    redis.call('ZREM', tenantEndpointsKey, id)
    if redis.call('ZCARD', tenantEndpointsKey) == 0 then redis.call('ZREM', tenantsKey, tenant) end
  end
else
  redis.call('SET', endpointKey, new)
  redis.call('ZADD', endpointsKey, 0, id)
  if tenant ~= '' then
    redis.call('ZADD', tenantEndpointsKey, 0, id)
    redis.call('ZADD', tenantsKey, 0, tenant)
  end
  for _, key in ipairs(join) do redis.call('SADD', key, id) end
end
redis.call('PUBLISH', changesChannel, id)
return 1
