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
local state = redis.call('HMGET', jobKey, 'hls', 'hln', 'timestamp')
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
return 'ok'
