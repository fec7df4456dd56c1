--[[
  Removes finished delivery jobs whose final state the log now holds: what is settled leaves
  Redis (log/job-sweeper.ts). A job requeued meanwhile (retry, replay) is a new job, still
  moving, and is left alone: only a job still in the finished sets goes.

  Input:
    KEYS[1] the shard's finished delivery jobs (BullMQ's `completed`)
    KEYS[2] the shard's failed delivery jobs (BullMQ's `failed`)

    ARGV[1] the shard's job key prefix (keys.ts `deliveryJobPrefix`)
    ARGV[2] m: how many ids follow that the log holds settled; a job of theirs goes only when
            its own status is settled too (delivered or dead)
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
  local finished
  if i <= 2 + m then
    local status = redis.call('HGET', jobKey, 'hls')
    finished = (status == 'delivered' or status == 'dead')
      and (redis.call('ZSCORE', completed, id) or redis.call('ZSCORE', failed, id))
  else
    finished = redis.call('ZSCORE', completed, id)
  end
  if finished then
    redis.call('DEL', jobKey, jobKey .. ':logs')
    redis.call('ZREM', completed, id)
    redis.call('ZREM', failed, id)
    removed = removed + 1
  end
end
return removed
