--[[
  Notes when an operator key was last used, unless it is gone: a plain HSET after a revocation
  would make a record of nothing but a time.

  Input:
    KEYS[1] the operator key's hash

    ARGV[1] now (ms)

  Output:
    1 noted
    0 no such key
]]
local record = KEYS[1]
local now = ARGV[1]

if redis.call('EXISTS', record) == 0 then return 0 end
redis.call('HSET', record, 'last_used_at', now)
return 1
