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
      m: how many lined-up deliveries follow, then for each: delivery id, endpoint id — those of
        ordered endpoints, written with their own change in their lines' shards
        (ordering/lines.ts); named here so that reading the event by id finds them

  Output:
    the number of deliveries written
]]
local stream = KEYS[1]

-- Reads a count at ARGV[at] and that many (delivery id, endpoint id) pairs after it: the pairs
-- as `<delivery id>=<endpoint id>` joined by commas, their count, and where the next field is.
local function readPairs(at)
  local n = tonumber(ARGV[at])
  local joined = {}
  for d = 1, n do
    joined[d] = ARGV[at + 2 * d - 1] .. '=' .. ARGV[at + 2 * d]
  end
  return table.concat(joined, ','), n, at + 1 + 2 * n
end

local written = 0
local i = 1
while i <= #ARGV do
  local eventId, unloggedKey, name, tenant, resourceId, resourceType, test, traceparent, body =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6],
    ARGV[i + 7], ARGV[i + 8]
  local deliveries, n, lined, _
  deliveries, n, i = readPairs(i + 9)
  lined, _, i = readPairs(i)
  written = written + n
  local version = redis.call('XADD', stream, '*', 'k', 'e', 'id', eventId, 'n', name,
    't', tenant, 'ri', resourceId, 'rt', resourceType, 'x', test, 'p', traceparent,
    'b', body, 'd', deliveries, 'o', lined)
  redis.call('HSET', unloggedKey, version, 1)
end
return written
