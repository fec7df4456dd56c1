--[[
  Writes the records of published events and their new deliveries, all in one shard: what
  `DeliveryStore.publish` used to send as some 15 commands per delivery, in one call per ~200
  events and deliveries (publish-records.ts says why not more). The delivery jobs are added beside
  it by BullMQ's own script, in the same MULTI (delivery-store.ts), so a publish stays all or
  nothing, however many calls it takes. Key names come from keys.ts, never built here.

  Input:
    KEYS[1] any key of the shard (the first event's hash): routes the call on a Redis Cluster;
            every key below is in the same shard

    ARGV[1] retention (ms): every key written expires this long after its last write
    ARGV[2] now (ms): the deliveries' created_at
    ARGV[3] event-index trim floor, as a ZREMRANGEBYLEX bound: older entries leave the indexes

    Then, once per event, a group:
      event id
      event hash key, or '' when the event is already written (a large fan-out's later
        chunks, a fan-out's recovery): then only its deliveries are written
      body (the exact JSON receivers get)
      tenant id, '' for none
      '1' for a test send, else ''
      the event's delivery-id list key
      k: how many event-index zsets the event joins, then their k keys
      n: how many deliveries follow, then for each: delivery hash key, delivery id, endpoint id,
        the endpoint's pending-set key in this shard

  Output:
    the number of deliveries written

  An event written here keeps its delivery ids in its hash (field `deliveries`, comma-separated);
  deliveries added to an event written earlier are pushed to its delivery-id list instead. A
  reader takes both (event-store.ts).
]]
local retentionMs = ARGV[1]
local now = ARGV[2]
local trimFloor = ARGV[3]

-- Members of the indexes and pending sets, gathered per key: one ZADD, trim and expiry per key
-- per call, however many events of the call join it (a batch's events share a few).
local members = {}
local indexes = {}
local pendingSets = {}
local function gather(key, member, kind)
  local list = members[key]
  if not list then
    list = {}
    members[key] = list
    kind[#kind + 1] = key
  end
  list[#list + 1] = 0
  list[#list + 1] = member
end

local written = 0
local i = 4
while i <= #ARGV do
  local eventId, eventKey, body, tenant, test, listKey =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  i = i + 6
  local k = tonumber(ARGV[i])
  for j = i + 1, i + k do gather(ARGV[j], eventId, indexes) end
  i = i + k + 1
  local n = tonumber(ARGV[i])
  i = i + 1
  local ids = {}
  for d = 1, n do
    local deliveryKey, deliveryId, endpointId, pendingKey =
      ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    i = i + 4
    redis.call('HSET', deliveryKey, 'event_id', eventId, 'endpoint_id', endpointId,
      'tenant_id', tenant, 'status', 'pending', 'attempts', 0, 'cycle', 0,
      'next_attempt_at', '', 'created_at', now, 'test', test)
    redis.call('PEXPIRE', deliveryKey, retentionMs)
    gather(pendingKey, deliveryId, pendingSets)
    ids[d] = deliveryId
  end
  written = written + n
  if eventKey ~= '' then
    redis.call('HSET', eventKey, 'body', body, 'tenant_id', tenant,
      'deliveries', table.concat(ids, ','))
    redis.call('PEXPIRE', eventKey, retentionMs)
  elseif n > 0 then
    redis.call('RPUSH', listKey, unpack(ids))
    redis.call('PEXPIRE', listKey, retentionMs)
  end
end

-- ZADD in slices: Lua's unpack takes a few thousand values at most.
local function addAll(key)
  local list = members[key]
  for from = 1, #list, 1000 do
    redis.call('ZADD', key, unpack(list, from, math.min(from + 999, #list)))
  end
end
for _, index in ipairs(indexes) do
  addAll(index)
  redis.call('ZREMRANGEBYLEX', index, '-', trimFloor)
  redis.call('PEXPIRE', index, retentionMs)
end
for _, set in ipairs(pendingSets) do
  addAll(set)
  redis.call('PEXPIRE', set, retentionMs)
end
return written
