--[[
  The front lane: a tenant's first deliveries of each window in a shard go where workers take
  jobs next (the far end of BullMQ's wait list), the rest join the back as BullMQ added them. A
  tenant publishing a few events at a time is served at once however long the queue is behind
  it; one publishing a flood waits behind its own flood, not in front of everyone else's next
  event (README, "Tenant fairness"). Runs in the publish's MULTI right after BullMQ's adds of
  these deliveries (in-flight/publish-records.ts), which pushed each at the wait list's back end.

  Input:
    KEYS[1] the shard's deliveries wait list (BullMQ's `wait`)

    ARGV[1] the window (ms)
    Then, once per tenant, a group of ARGV:
      its window counter's key (keys.ts `frontLane`), in the same shard
      how many of its deliveries per window take the front lane (its weight's share)
      n: how many deliveries follow, then their (job) ids, in publish order

  Output:
    how many deliveries took the front lane
]]
local wait = KEYS[1]
local window = ARGV[1]

local moved = 0
local i = 2
while i <= #ARGV do
  local counter = ARGV[i]
  local most = tonumber(ARGV[i + 1])
  local n = tonumber(ARGV[i + 2])
  redis.call('SET', counter, 0, 'PX', window, 'NX')
  local before = redis.call('INCRBY', counter, n) - n
  local front = math.min(n, most - before)
  -- The last pushed is taken first: pushed last to first, they are taken in publish order.
  for d = front, 1, -1 do
    -- A delivery lined up behind its line's head is not in the wait list: it stays where it is.
    local id = ARGV[i + 2 + d]
    if redis.call('LREM', wait, 1, id) == 1 then
      redis.call('RPUSH', wait, id)
      moved = moved + 1
    end
  end
  i = i + 3 + n
end
return moved
