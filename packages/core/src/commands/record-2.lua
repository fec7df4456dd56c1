--[[
  Moves a delivery in flight to a new status, recording the attempt that moved it (if one did),
  in its job's hash (field `hla:<n>`) — the job is the delivery's one record while it moves
  (in-flight/job-record.ts) — and appends the change to the shard's change stream, in one
  atomic step: the log (log/) can never miss a move, nor see one that did not happen. Who may
  ask for which move: packages/core/src/lifecycle.ts.

  Input:
    KEYS[1] the delivery's job hash (BullMQ's key of the job)
    KEYS[2] the shard's change stream

    ARGV[1] new status
    ARGV[2] the attempt as JSON, or '' when no attempt was made
    ARGV[3] next_attempt_at (ms), or ''
    ARGV[4] now (ms)
    ARGV[5] the statuses it may move from, comma-separated ('' = any)
    ARGV[6] attempts made before this job (its data's `attempts`): the count while the hash
            records none
    ARGV[7] '1' when the move puts it in the dead letter, else ''
    ARGV[8] the change's head: what the delivery is, as JSON (in-flight/job-record.ts `changeHead`)

  A delivery of an ordered endpoint (its hash's `hll` names its line, commands/line-up-5.lua)
  moves its line in the same step: settled (delivered or dead) at the head, it leaves the line
  and the next delivery goes where workers take it next (the far end of BullMQ's wait list,
  which workers take from, with BullMQ's marker that wakes them); settled while waiting behind
  the head (its endpoint deleted), it leaves the line and goes there too, so that its job
  finishes. A head that fails is noted among the shard's blocked lines until it settles. The
  line's keys are named after the job's shard tag as redis/keys.ts names them (`line`, `lines`,
  `blockedLines`; BullMQ's `wait` and `marker` beside the job).

  Output:
    'gone'    no such job (the delivery is not in flight)
    'refused' its status is not one it may move from
    'ok'      moved
]]
local jobKey = KEYS[1]
local stream = KEYS[2]

local to = ARGV[1]
local attempt = ARGV[2]
local nextAttemptAt = ARGV[3]
local now = ARGV[4]
local allowedFrom = ARGV[5]
local attemptsBefore = ARGV[6]
local deadLetter = ARGV[7]
local head = ARGV[8]

-- BullMQ writes `timestamp` when it adds a job: without it there is no job.
local state = redis.call('HMGET', jobKey, 'hls', 'hln', 'timestamp', 'hll')
if not state[3] then return 'gone' end
local old = state[1] or 'pending'
if allowedFrom ~= '' and not string.find(',' .. allowedFrom .. ',', ',' .. old .. ',', 1, true) then
  return 'refused'
end
local attempts = tonumber(state[2] or attemptsBefore)

local fields = { 'hls', to, 'hlx', nextAttemptAt }
local entry = { 'k', 'd', 'h', head, 's', to, 'x', nextAttemptAt, 'a', now, 'l', deadLetter }
if attempt ~= '' then
  attempts = attempts + 1
  fields[#fields + 1] = 'hla:' .. attempts
  fields[#fields + 1] = attempt
  entry[#entry + 1] = 't'
  entry[#entry + 1] = attempt
end
fields[#fields + 1] = 'hln'
fields[#fields + 1] = attempts
entry[#entry + 1] = 'n'
entry[#entry + 1] = attempts
redis.call('HSET', jobKey, unpack(fields))
redis.call('XADD', stream, '*', unpack(entry))

local lineName = state[4]
if not lineName then return 'ok' end
-- <tag>:deliveries:<id>: the shard's tag, the queue's keys, the job (delivery) id.
local tag, queue, id = string.match(jobKey, '^(.*):([^:]*):([^:]*)$')
local line = tag .. ':line:' .. lineName
local lines = tag .. ':lines'
local blocked = tag .. ':lines:blocked'
local function release(nextId)
  redis.call('RPUSH', tag .. ':' .. queue .. ':wait', nextId)
  redis.call('ZADD', tag .. ':' .. queue .. ':marker', 0, '0')
end
local atHead = redis.call('LINDEX', line, 0) == id
if to == 'delivered' or to == 'dead' then
  if atHead then
    redis.call('LPOP', line)
    redis.call('ZREM', blocked, lineName)
    local nextId = redis.call('LINDEX', line, 0)
    if nextId then
      release(nextId)
      redis.call('ZADD', lines, now, lineName)
    else
      redis.call('ZREM', lines, lineName)
    end
  elseif redis.call('LREM', line, 1, id) == 1 then
    release(id)
  end
elseif to == 'failed' and atHead then
  redis.call('ZADD', blocked, 'NX', now, lineName)
end
return 'ok'
