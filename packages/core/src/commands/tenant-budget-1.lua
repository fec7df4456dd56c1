--[[
  Takes from a tenant's budget of one kind (manual retries and replays, or test sends), shared
  by every producer: a bucket that holds `capacity` units and refills one unit per `interval`
  (GCRA), so a tenant spends at most `capacity` at once and `capacity` a minute after that. A
  request takes what it asks for, or as much of it as the bucket holds (a replay sends that
  many and leaves the rest dead); an empty bucket takes nothing.

  Input:
    KEYS[1] theoretical arrival time (ms) of the bucket: when it will be full again, plus interval

    ARGV[1] now (ms)
    ARGV[2] interval (ms): how long one unit takes to come back
    ARGV[3] capacity: units the full bucket holds
    ARGV[4] units wanted (1 or more)

  Output: {taken, wait}: how many units were taken (0 to wanted), and when none was, the ms
  until one is back.
]]
local tatKey = KEYS[1]

local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local wanted = tonumber(ARGV[4])

-- A full bucket is `capacity` intervals ahead of the theoretical arrival time at most.
local tolerance = capacity * interval
local tat = tonumber(redis.call('GET', tatKey) or '0')
if tat < now then tat = now end

local available = math.floor((now + tolerance - tat) / interval)
local taken = math.min(wanted, available)
if taken <= 0 then
  return {0, tat + interval - now - tolerance}
end
local newTat = tat + taken * interval
-- The key lives while the bucket is not full: then it is worth nothing and may go.
redis.call('SET', tatKey, tostring(newTat), 'PX', newTat - now)
return {taken, 0}
