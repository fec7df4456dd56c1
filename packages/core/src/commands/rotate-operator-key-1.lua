--[[
  Replaces an operator key's secret: the new digest becomes the key's, and the one it replaces
  keeps working until the end of the grace period (one previous secret only: rotating again ends
  the grace of the one before). A key that is gone (revoked or expired) stays gone: nothing is
  written, so a rotation racing a revocation cannot bring the key back.

  Input:
    KEYS[1] the operator key's hash (operator-key-store.ts names its fields)

    ARGV[1] the new secret's SHA-256 (hex)
    ARGV[2] until when the old secret works (ms); not after now: it stops at once
    ARGV[3] now (ms): the rotation's time

  Output:
    1 rotated
    0 no such key
]]
local record = KEYS[1]
local newHash = ARGV[1]
local previousUntil = tonumber(ARGV[2])
local now = tonumber(ARGV[3])

if redis.call('EXISTS', record) == 0 then return 0 end
local oldHash = redis.call('HGET', record, 'hash')
if previousUntil > now then
  redis.call('HSET', record, 'previous_hash', oldHash, 'previous_until', ARGV[2])
else
  redis.call('HDEL', record, 'previous_hash', 'previous_until')
end
redis.call('HSET', record, 'hash', newHash, 'rotated_at', ARGV[3])
return 1
