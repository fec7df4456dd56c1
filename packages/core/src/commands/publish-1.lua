--[[
  Appends the changes of published events to their shard's change stream, one entry per event
  (or per chunk of a large fan-out) naming its new deliveries, and marks each as not yet logged. The delivery jobs (each
  delivery's one record while it moves) are added beside it by BullMQ's own script in the same
  MULTI (in-flight/publish.ts), so a publish stays all or nothing however many calls it takes.
  Key names come from keys.ts; entry fields are read by log/stream-entries.ts.

  Input:
    KEYS[1] the shard's change stream; every key below is in the same shard

    Then, once per event, a group of ARGV:
      event id
      its not-yet-logged hash key (keys.ts `unloggedEvent`): each change of the event (a large
        fan-out appends one per chunk) is marked there by its stream id until the log has it
      name
      tenant id, '' for none
      resource id, '' for none
      resource type, '' for none
      '1' for a test send, else ''
      W3C traceparent, '' for none
      body (the exact JSON receivers get)
      n: how many deliveries follow, then for each: delivery id, endpoint id

  Output:
    the number of deliveries written
]]
local stream = KEYS[1]

local written = 0
local i = 1
while i <= #ARGV do
  local eventId, unloggedKey, name, tenant, resourceId, resourceType, test, traceparent, body =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6],
    ARGV[i + 7], ARGV[i + 8]
  local n = tonumber(ARGV[i + 9])
  i = i + 10
  local pairs = {}
  for d = 1, n do
    pairs[d] = ARGV[i] .. '=' .. ARGV[i + 1]
    i = i + 2
  end
  written = written + n
  local version = redis.call('XADD', stream, '*', 'k', 'e', 'id', eventId, 'n', name,
    't', tenant, 'ri', resourceId, 'rt', resourceType, 'x', test, 'p', traceparent,
    'b', body, 'd', table.concat(pairs, ','))
  redis.call('HSET', unloggedKey, version, 1)
end
return written
