--[[
  Records an attempt (optional) and moves a delivery to a new status, in one atomic step: a
  process killed between "attempt recorded" and "status changed" (or "dead-lettered") cannot
  leave a delivery half-moved, because there is no between. Who may ask for which move:
  packages/core/src/lifecycle.ts.

  Input:
    KEYS[1] delivery hash
    KEYS[2] the delivery's attempts list
    KEYS[3] dead-letter zset (every dead-lettered delivery)
    KEYS[4] the endpoint's health hash (failing_since)
    KEYS[5] endpoint key: while it is missing (the endpoint was deleted) the status moves but no
            status set, dead letter or health is written, so a deleted endpoint leaves nothing
    KEYS[6] the tenant's dead-letter zset (KEYS[3] again for an untenanted delivery)

    ARGV[1]  delivery id
    ARGV[2]  prefix of the endpoint's per-status sets (the status is appended)
    ARGV[3]  new status
    ARGV[4]  the attempt as JSON, or '' when no attempt was made
    ARGV[5]  next_attempt_at (ms), or ''
    ARGV[6]  now (ms)
    ARGV[7]  retention (ms): the delivery and its attempts expire this long after their last write
    ARGV[8]  health: 'success' (the endpoint recovered), 'failure', or '' (does not count)
    ARGV[9]  disable-after (ms): an endpoint failing for this long is to be disabled
    ARGV[10] trim floor: ids below it are older than the retention and leave the sets
    ARGV[11] the statuses it may move from, comma-separated ('' = any)

  Output: {verdict, failing_since}
    'gone'    no such delivery
    'refused' its status is not one it may move from
    'ok'      moved
    'disable' moved, and the endpoint has now failed for longer than disable-after
]]
local deliveryKey = KEYS[1]
local attemptsKey = KEYS[2]
local deadLetterKey = KEYS[3]
local healthKey = KEYS[4]
local endpointKey = KEYS[5]
local tenantDeadLetterKey = KEYS[6]

local id = ARGV[1]
local statusSetPrefix = ARGV[2]
local to = ARGV[3]
local attempt = ARGV[4]
local nextAttemptAt = ARGV[5]
local now = tonumber(ARGV[6])
local retentionMs = ARGV[7]
local health = ARGV[8]
local disableAfterMs = tonumber(ARGV[9])
local trimFloor = '(' .. ARGV[10]
local allowedFrom = ARGV[11]

local old = redis.call('HGET', deliveryKey, 'status')
if not old then return {'gone', 0} end
if allowedFrom ~= '' and not string.find(',' .. allowedFrom .. ',', ',' .. old .. ',', 1, true) then
  return {'refused', 0}
end

if attempt ~= '' then
  redis.call('RPUSH', attemptsKey, attempt)
  redis.call('HINCRBY', deliveryKey, 'attempts', 1)
  redis.call('PEXPIRE', attemptsKey, retentionMs)
end
redis.call('HSET', deliveryKey, 'status', to, 'next_attempt_at', nextAttemptAt)
if old ~= to and (to == 'dead' or to == 'delivered') then
  redis.call('HSET', deliveryKey, 'settled_at', ARGV[6])
end
redis.call('PEXPIRE', deliveryKey, retentionMs)

local endpointExists = redis.call('EXISTS', endpointKey) == 1
if endpointExists and old ~= to then
  redis.call('ZREM', statusSetPrefix .. old, id)
  local target = statusSetPrefix .. to
  redis.call('ZADD', target, 0, id)
  redis.call('ZREMRANGEBYLEX', target, '-', trimFloor)
end
if endpointExists and to == 'dead' and old ~= 'dead' then
  redis.call('ZADD', deadLetterKey, 0, id)
  redis.call('ZREMRANGEBYLEX', deadLetterKey, '-', trimFloor)
  if tenantDeadLetterKey ~= deadLetterKey then
    redis.call('ZADD', tenantDeadLetterKey, 0, id)
    redis.call('ZREMRANGEBYLEX', tenantDeadLetterKey, '-', trimFloor)
  end
end

local verdict = 'ok'
local since = 0
if endpointExists then
  if health == 'success' then
    redis.call('HDEL', healthKey, 'failing_since')
  elseif health == 'failure' then
    redis.call('HSETNX', healthKey, 'failing_since', ARGV[6])
    since = tonumber(redis.call('HGET', healthKey, 'failing_since'))
    if now - since >= disableAfterMs then verdict = 'disable' end
  end
end
return {verdict, since}
