--[[
  Puts a delivery back to pending (retry, replay, recover through the API) with a fresh attempt
  budget: its attempt count so far starts the new cycle. Which statuses each move allows:
  packages/core/src/lifecycle.ts. The caller adds the delivery's job right after this call in the
  same MULTI (in-flight/requeue.ts): BullMQ adds it only when no job of that id exists, so this
  script removes a finished job first, and a job still moving keeps going, brought back to
  pending here.

  Input:
    KEYS[1] the delivery's job hash
    KEYS[2] the shard's finished delivery jobs (BullMQ's `completed`)
    KEYS[3] the shard's failed delivery jobs (BullMQ's `failed`)
    KEYS[4] the shard's change stream

    ARGV[1] job (delivery) id
    ARGV[2] the statuses it may be requeued from, comma-separated
    ARGV[3] its status in the log: what counts when it has no job
    ARGV[4] its attempts so far (the job's while it has one, else the log's)
    ARGV[5] now (ms)
    ARGV[6] the change's head (in-flight/job-record.ts `changeHead`)

  Output:
    'new'       requeued: the job added next in the MULTI is its new one
    'moving'    requeued: its job is still moving and goes on (the caller promotes it if delayed)
    'finishing' not requeued yet: it has settled and its dispatcher is about to finish its job
                (the caller asks again in a moment)
    <status>    its current status, when that is not one it may be requeued from
]]
local jobKey = KEYS[1]
local completed = KEYS[2]
local failed = KEYS[3]
local stream = KEYS[4]

local id = ARGV[1]
local allowedFrom = ARGV[2]
local loggedStatus = ARGV[3]
local attempts = ARGV[4]
local now = ARGV[5]
local head = ARGV[6]

local function allowed(status)
  return string.find(',' .. allowedFrom .. ',', ',' .. status .. ',', 1, true) ~= nil
end

local result = 'new'
if redis.call('EXISTS', jobKey) == 1 then
  local status = redis.call('HGET', jobKey, 'hls') or 'pending'
  if not allowed(status) then return status end
  if redis.call('ZSCORE', completed, id) or redis.call('ZSCORE', failed, id) then
    redis.call('DEL', jobKey, jobKey .. ':logs')
    redis.call('ZREM', completed, id)
    redis.call('ZREM', failed, id)
  elseif status == 'delivered' or status == 'dead' then
    -- Settled, its job not finished yet: its dispatcher is between recording the settling and
    -- BullMQ's finishing the job (or died there, and the job waits for the stall check). Back
    -- to pending now, the job would then finish as pending and nobody would run it again.
    return 'finishing'
  else
    redis.call('HSET', jobKey, 'hls', 'pending', 'hlx', '', 'hlc', attempts)
    result = 'moving'
  end
elseif not allowed(loggedStatus) then
  return loggedStatus == '' and 'gone' or loggedStatus
end

redis.call('XADD', stream, '*', 'k', 'd', 'h', head, 's', 'pending', 'x', '', 'a', now,
  'l', '', 'n', attempts)
return result
