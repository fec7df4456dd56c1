--[[
  Records an attempt (optional) and moves a delivery to a new status, in one atomic step: a
  process killed between "attempt recorded" and "status changed" (or "dead-lettered") cannot
  leave a delivery half-moved, because there is no between. Who may ask for which move:
  packages/core/src/lifecycle.ts. Every key is in the delivery's shard (keys.ts); the endpoint's
  health, in the catalog, is written by health-1.lua after this.

  Input:
    KEYS[1] delivery hash; the attempt is recorded in it as field `att:<n>` (n counts from 1)
    KEYS[2] the shard's dead-letter zset
    KEYS[3] the shard's dead-letter zset of the delivery's tenant (KEYS[2] again for none)

    ARGV[1]  delivery id
    ARGV[2]  prefix of the endpoint's per-status sets in this shard (the status is appended)
    ARGV[3]  new status
    ARGV[4]  the attempt as JSON, or '' when no attempt was made
    ARGV[5]  next_attempt_at (ms), or ''
    ARGV[6]  now (ms)
    ARGV[7]  retention (ms): the delivery and the sets it joins expire this long
             after their last write
    ARGV[8]  '1' while the endpoint exists; '' once it is deleted: then the status moves but no
             status set or dead letter is written, so a deleted endpoint leaves nothing
    ARGV[9]  trim floor: ids below it are older than the retention and leave the sets
    ARGV[10] the statuses it may move from, comma-separated ('' = any)

  Output:
    'gone'    no such delivery
    'refused' its status is not one it may move from
    'ok'      moved
]]
local deliveryKey = KEYS[1]
local deadLetterKey = KEYS[2]
local tenantDeadLetterKey = KEYS[3]

local id = ARGV[1]
local statusSetPrefix = ARGV[2]
local to = ARGV[3]
local attempt = ARGV[4]
local nextAttemptAt = ARGV[5]
local retentionMs = ARGV[7]
local endpointExists = ARGV[8] == '1'
local trimFloor = '(' .. ARGV[9]
local allowedFrom = ARGV[10]

local old = redis.call('HGET', deliveryKey, 'status')
if not old then return 'gone' end
if allowedFrom ~= '' and not string.find(',' .. allowedFrom .. ',', ',' .. old .. ',', 1, true) then
  return 'refused'
end

-- One HSET for the status, its times and the attempt: the fields to write, then the call.
local fields = { 'status', to, 'next_attempt_at', nextAttemptAt }
if old ~= to and (to == 'dead' or to == 'delivered') then
  fields[#fields + 1] = 'settled_at'
  fields[#fields + 1] = ARGV[6]
end
if attempt ~= '' then
  local n = redis.call('HINCRBY', deliveryKey, 'attempts', 1)
  fields[#fields + 1] = 'att:' .. n
  fields[#fields + 1] = attempt
end
redis.call('HSET', deliveryKey, unpack(fields))
redis.call('PEXPIRE', deliveryKey, retentionMs)

-- A set is trimmed as it grows, and expires a retention after its last addition: by then every
-- id in it is older than the retention, so an endpoint gone quiet leaves nothing behind.
local function add(set)
  redis.call('ZADD', set, 0, id)
  redis.call('ZREMRANGEBYLEX', set, '-', trimFloor)
  redis.call('PEXPIRE', set, retentionMs)
end

if endpointExists and old ~= to then
  redis.call('ZREM', statusSetPrefix .. old, id)
  add(statusSetPrefix .. to)
end
if endpointExists and to == 'dead' and old ~= 'dead' then
  add(deadLetterKey)
  if tenantDeadLetterKey ~= deadLetterKey then add(tenantDeadLetterKey) end
end
return 'ok'
