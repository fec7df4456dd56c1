--[[
  Removes finished delivery jobs whose final state the log now holds: what is settled leaves
  Redis (log/job-sweeper.ts). A job requeued meanwhile (retry, replay) is a new job, still
  moving, and is left alone: only a job still in the finished sets goes. A completed job's
  settling reached the stream before BullMQ finished it, so once the log holds the delivery
  settled, that settling is written or right behind it in the stream.

  Input:
    KEYS[1] the shard's finished delivery jobs (BullMQ's `completed`)
    KEYS[2] the shard's failed delivery jobs (BullMQ's `failed`)

    ARGV[1] the shard's job key prefix (keys.ts `deliveryJobPrefix`)
    ARGV[2] m: how many ids follow that the log holds settled: a completed job of theirs goes;
            a failed one only once its own status is settled (delivered or dead)
    ARGV[3 .. 2+m] those ids
    ARGV[3+m ..]   ids whose completed job goes whatever its status (finished long ago without
            settling: poisoned data). A failed job always waits for its dead-lettering.

  Output:
    how many jobs were removed
]]
local completed = KEYS[1]
local failed = KEYS[2]

local prefix = ARGV[1]
local m = tonumber(ARGV[2])

local removed = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local jobKey = prefix .. id
  -- A job in `completed` has finished: a requeue takes it out of there before it adds the new one.
  local finished = redis.call('ZREM', completed, id) == 1
  if not finished and i <= 2 + m then
    -- A failed job goes only once it is dead-lettered (the dispatcher's 'failed' handler).
    local status = redis.call('HGET', jobKey, 'hls')
    finished = (status == 'delivered' or status == 'dead') and redis.call('ZREM', failed, id) == 1
  end
  if finished then
    redis.call('DEL', jobKey, jobKey .. ':logs')
    removed = removed + 1
  end
end
return removed
