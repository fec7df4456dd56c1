--[[
  A per-endpoint rate limiter shared by every dispatcher (GCRA without burst: one delivery per
  interval). A request that has to wait reserves the next free slot for its job, so the jobs of
  a busy endpoint are deferred to distinct slots instead of all retrying at once; when that job
  comes back it takes its reserved slot rather than queueing again.

  Input:
    KEYS[1] theoretical arrival time (ms) of the next free slot
    KEYS[2] reservations hash: job id -> the slot (ms) reserved for it

    ARGV[1] now (ms)
    ARGV[2] interval (ms): 1000 / the endpoint's deliveries per second
    ARGV[3] job id

  Output: 0 when the delivery may go now, else the ms to wait.
]]
local tatKey = KEYS[1]
local reservationsKey = KEYS[2]

local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local jobId = ARGV[3]

-- A job deferred to its reserved slot may be picked up a little before it (another dispatcher's
-- clock, BullMQ's delayed-job timer): this close to its slot it goes now rather than being
-- deferred again for a few ms.
local RESERVATION_TOLERANCE_MS = 50
-- The limiter's keys outlive the last slot by this much, then vanish with an idle endpoint.
local IDLE_EXPIRY_MS = 60000

local reserved = redis.call('HGET', reservationsKey, jobId)
if reserved then
  redis.call('HDEL', reservationsKey, jobId)
  if tonumber(reserved) <= now + RESERVATION_TOLERANCE_MS then return 0 end
  return tonumber(reserved) - now
end

local tat = tonumber(redis.call('GET', tatKey) or '0')
if tat < now then tat = now end
local ttl = math.ceil(tat - now + interval + IDLE_EXPIRY_MS)
redis.call('SET', tatKey, tostring(tat + interval), 'PX', ttl)
if tat <= now then return 0 end
redis.call('HSET', reservationsKey, jobId, tostring(tat))
redis.call('PEXPIRE', reservationsKey, ttl)
return tat - now
