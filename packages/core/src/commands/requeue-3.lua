--[[
  Puts a delivery back to pending (retry, replay, recover through the API), starting a fresh
  attempt budget: its attempt count so far becomes the start of the new cycle. It leaves both
  dead letters. Which statuses each of retry, replay and recover allows:
  packages/core/src/lifecycle.ts. Every key is in the delivery's shard (keys.ts); the caller has
  checked that the endpoint exists (a delivery whose endpoint is gone is not requeued).

  Input:
    KEYS[1] delivery hash
    KEYS[2] the shard's dead-letter zset
    KEYS[3] the shard's dead-letter zset of the delivery's tenant (KEYS[2] again for none)

    ARGV[1] delivery id
    ARGV[2] prefix of the endpoint's per-status sets in this shard (the status is appended)
    ARGV[3] the statuses it may be requeued from, comma-separated
    ARGV[4] retention (ms): the pending set expires this long after its last addition

  Output:
    'ok'     requeued
    'gone'   no such delivery
    <status> its current status, when that is not one it may be requeued from
]]
local deliveryKey = KEYS[1]
local deadLetterKey = KEYS[2]
local tenantDeadLetterKey = KEYS[3]

local id = ARGV[1]
local statusSetPrefix = ARGV[2]
local allowedFrom = ARGV[3]

local old = redis.call('HGET', deliveryKey, 'status')
if not old then return 'gone' end
if not string.find(',' .. allowedFrom .. ',', ',' .. old .. ',', 1, true) then return old end

local attempts = redis.call('HGET', deliveryKey, 'attempts')
redis.call('HSET', deliveryKey, 'status', 'pending', 'cycle', attempts, 'next_attempt_at', '')
if old ~= 'pending' then
  redis.call('ZREM', statusSetPrefix .. old, id)
  redis.call('ZADD', statusSetPrefix .. 'pending', 0, id)
  redis.call('PEXPIRE', statusSetPrefix .. 'pending', ARGV[4])
end
redis.call('ZREM', deadLetterKey, id)
redis.call('ZREM', tenantDeadLetterKey, id)
return 'ok'
