--[[
  Counts an attempt for its endpoint's health: a success clears the failure streak, a failure
  starts it (if it is not running) and tells whether it has now lasted long enough to disable
  the endpoint. Runs after record-2.lua, in the catalog, where the endpoint lives.

  Input:
    KEYS[1] the endpoint's health hash (failing_since, ms)

    ARGV[1] 'success' or 'failure'
    ARGV[2] now (ms)
    ARGV[3] disable-after (ms): an endpoint failing for this long is to be disabled

  Output:
    'ok'      counted
    'disable' a failure, and the endpoint has now failed for longer than disable-after
]]
local healthKey = KEYS[1]
local health = ARGV[1]
local now = tonumber(ARGV[2])
local disableAfterMs = tonumber(ARGV[3])

if health == 'success' then
  redis.call('HDEL', healthKey, 'failing_since')
  return 'ok'
end
redis.call('HSETNX', healthKey, 'failing_since', ARGV[2])
local since = tonumber(redis.call('HGET', healthKey, 'failing_since'))
if now - since >= disableAfterMs then return 'disable' end
return 'ok'
