--[[
  Puts a delivery back to pending (retry, replay, recover through the API), starting a fresh
  attempt budget: its attempt count so far becomes the start of the new cycle. It leaves both
  dead letters. Which statuses each of retry, replay and recover allows:
  packages/core/src/lifecycle.ts.

  Input:
    KEYS[1] delivery hash
    KEYS[2] dead-letter zset (every dead-lettered delivery)
    KEYS[3] endpoint key: a delivery whose endpoint is gone is not requeued
    KEYS[4] the tenant's dead-letter zset (KEYS[2] again for an untenanted delivery)

    ARGV[1] delivery id
    ARGV[2] prefix of the endpoint's per-status sets (the status is appended)
    ARGV[3] the statuses it may be requeued from, comma-separated

  Output:
    'ok'     requeued
    'gone'   no such delivery, or its endpoint is gone
    <status> its current status, when that is not one it may be requeued from
]]
local deliveryKey = KEYS[1]
local deadLetterKey = KEYS[2]
local endpointKey = KEYS[3]
local tenantDeadLetterKey = KEYS[4]

local id = ARGV[1]
local statusSetPrefix = ARGV[2]
local allowedFrom = ARGV[3]

local old = redis.call('HGET', deliveryKey, 'status')
if not old then return 'gone' end
if redis.call('EXISTS', endpointKey) == 0 then return 'gone' end
if not string.find(',' .. allowedFrom .. ',', ',' .. old .. ',', 1, true) then return old end

local attempts = redis.call('HGET', deliveryKey, 'attempts')
redis.call('HSET', deliveryKey, 'status', 'pending', 'cycle', attempts, 'next_attempt_at', '')
if old ~= 'pending' then
  redis.call('ZREM', statusSetPrefix .. old, id)
  redis.call('ZADD', statusSetPrefix .. 'pending', 0, id)
end
redis.call('ZREM', deadLetterKey, id)
redis.call('ZREM', tenantDeadLetterKey, id)
return 'ok'
