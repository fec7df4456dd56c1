--[[
  Puts a delivery of an ordered endpoint at the back of its line (ordering/lines.ts) and gives it
  the line's next sequence number (its `webhook-sequence`). Runs in the MULTI that adds its job,
  right after BullMQ's add (in-flight/publish.ts, in-flight/requeue.ts): a delivery that is the
  line's only one is its head and stays in BullMQ's wait list; any other is taken out of it and
  waits in the line, outside BullMQ's lists, until commands/record-2.lua settles the one before
  it and pushes it back. So a publish, a replay or a crash can never put two of a line's
  deliveries where workers take them.

  Input:
    KEYS[1] the delivery's job hash (BullMQ's key of the job)
    KEYS[2] the line (list of delivery ids, head first)
    KEYS[3] the line's last sequence number
    KEYS[4] the shard's lines with deliveries waiting (zset: line name → since when its head is)
    KEYS[5] the shard's deliveries wait list (BullMQ's `wait`), where the add just pushed the job

    ARGV[1] delivery (job) id
    ARGV[2] the line's name
    ARGV[3] now (ms)
    ARGV[4] seconds an idle line keeps its sequence number

  Output:
    the sequence number given; 0 when the delivery was not lined up: it has no job, has settled,
    or is lined up already (its job existed, so the add added nothing)
]]
local jobKey = KEYS[1]
local line = KEYS[2]
local sequenceKey = KEYS[3]
local lines = KEYS[4]
local wait = KEYS[5]

local id = ARGV[1]
local name = ARGV[2]
local now = ARGV[3]
local idleSeconds = ARGV[4]

local state = redis.call('HMGET', jobKey, 'timestamp', 'hls', 'hlq')
if not state[1] or state[3] then return 0 end
if state[2] == 'delivered' or state[2] == 'dead' then return 0 end

local sequence = redis.call('INCR', sequenceKey)
redis.call('EXPIRE', sequenceKey, idleSeconds)
redis.call('HSET', jobKey, 'hlq', sequence, 'hll', name)
if redis.call('RPUSH', line, id) == 1 then
  redis.call('ZADD', lines, now, name)
else
  -- BullMQ pushed the new job at the wait list's far end (LPUSH): found at once from there.
  redis.call('LREM', wait, 1, id)
end
return sequence
