import type { Redis, Result } from 'ioredis';

// Lua scripts that move a delivery between states in one round trip, atomically: a process
// killed between "attempt recorded" and "status changed" (or "dead-lettered") cannot leave a
// delivery half-moved, because there is no between.

/**
 * Records an attempt (optional) and moves a delivery to a new status.
 * KEYS: delivery hash, attempts list, dead-letter zset, endpoint health hash, endpoint key, the
 *       tenant's dead-letter zset (the dead-letter zset again for an untenanted delivery).
 * ARGV: delivery id, status-set prefix, new status, attempt JSON or '', next_attempt_at or '',
 *       now (ms), retention (ms), health ('success' | 'failure' | ''), disable-after (ms), trim floor id,
 *       the statuses it may move from (comma-separated; '' = any).
 * Returns [verdict, failing_since]: 'gone' (no such delivery), 'refused' (not in a status it may
 * move from), 'ok', or 'disable' (the endpoint has failed for longer than disable-after).
 */
const TRANSITION = `
local old = redis.call('HGET', KEYS[1], 'status')
if not old then return {'gone', 0} end
if ARGV[11] ~= '' and not string.find(',' .. ARGV[11] .. ',', ',' .. old .. ',', 1, true) then
  return {'refused', 0}
end
local id = ARGV[1]
if ARGV[4] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[4])
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'next_attempt_at', ARGV[5])
if old ~= ARGV[3] and (ARGV[3] == 'dead' or ARGV[3] == 'delivered') then
  redis.call('HSET', KEYS[1], 'settled_at', ARGV[6])
end
redis.call('PEXPIRE', KEYS[1], ARGV[7])
local endpointExists = redis.call('EXISTS', KEYS[5]) == 1
if endpointExists and old ~= ARGV[3] then
  redis.call('ZREM', ARGV[2] .. old, id)
  local target = ARGV[2] .. ARGV[3]
  redis.call('ZADD', target, 0, id)
  redis.call('ZREMRANGEBYLEX', target, '-', '(' .. ARGV[10])
end
if endpointExists and ARGV[3] == 'dead' and old ~= 'dead' then
  redis.call('ZADD', KEYS[3], 0, id)
  redis.call('ZREMRANGEBYLEX', KEYS[3], '-', '(' .. ARGV[10])
  if KEYS[6] ~= KEYS[3] then
    redis.call('ZADD', KEYS[6], 0, id)
    redis.call('ZREMRANGEBYLEX', KEYS[6], '-', '(' .. ARGV[10])
  end
end
local verdict = 'ok'
local since = 0
if endpointExists then
  if ARGV[8] == 'success' then
    redis.call('HDEL', KEYS[4], 'failing_since')
  elseif ARGV[8] == 'failure' then
    redis.call('HSETNX', KEYS[4], 'failing_since', ARGV[6])
    since = tonumber(redis.call('HGET', KEYS[4], 'failing_since'))
    if tonumber(ARGV[6]) - since >= tonumber(ARGV[9]) then verdict = 'disable' end
  end
end
return {verdict, since}
`;

/**
 * Puts a delivery back to pending (retry, replay, recover), starting a fresh attempt budget.
 * KEYS: delivery hash, dead-letter zset, endpoint key, the tenant's dead-letter zset (the
 *       dead-letter zset again for an untenanted delivery).
 * ARGV: delivery id, status-set prefix, allowed current statuses (comma-separated).
 * Returns 'ok', 'gone' (no such delivery or endpoint), or the current status when it is not allowed.
 */
const REQUEUE = `
local old = redis.call('HGET', KEYS[1], 'status')
if not old then return 'gone' end
if redis.call('EXISTS', KEYS[3]) == 0 then return 'gone' end
if not string.find(',' .. ARGV[3] .. ',', ',' .. old .. ',', 1, true) then return old end
local attempts = redis.call('HGET', KEYS[1], 'attempts')
redis.call('HSET', KEYS[1], 'status', 'pending', 'cycle', attempts, 'next_attempt_at', '')
if old ~= 'pending' then
  redis.call('ZREM', ARGV[2] .. old, ARGV[1])
  redis.call('ZADD', ARGV[2] .. 'pending', 0, ARGV[1])
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return 'ok'
`;

/**
 * A per-endpoint rate limiter shared by every dispatcher (GCRA without burst: one delivery per
 * 1/rate seconds). A request that has to wait reserves the next free slot for its job, so the
 * jobs of a busy endpoint are deferred to distinct slots instead of all retrying at once.
 * KEYS: theoretical-arrival-time key, reservations hash. ARGV: now (ms), interval (ms), job id.
 * Returns 0 when the delivery may go now, else the ms to wait.
 */
const RATE_LIMIT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local reserved = redis.call('HGET', KEYS[2], ARGV[3])
if reserved then
  redis.call('HDEL', KEYS[2], ARGV[3])
  if tonumber(reserved) <= now + 50 then return 0 end
  return tonumber(reserved) - now
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local ttl = math.ceil(tat - now + interval + 60000)
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', ttl)
if tat <= now then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], tostring(tat))
redis.call('PEXPIRE', KEYS[2], ttl)
return tat - now
`;

/**
 * Compare-and-set of an endpoint with its event-type index, so that concurrent updates, a
 * dispatcher disabling the endpoint and a delete never leave the index pointing the wrong way.
 * A write also publishes the endpoint's id on the changes channel, in the same atomic step: no
 * change can be made without being announced to the dispatchers caching endpoints.
 * KEYS: endpoint key, endpoints zset, tenants zset, the tenant's endpoints zset (the endpoints
 *       zset again for an untenanted endpoint).
 * ARGV: id, expected JSON ('' = must not exist), new JSON ('' = delete), index keys to leave
 *       (JSON array), index keys to join (JSON array), tenant id ('' = none), changes channel.
 * A tenant is listed while it has endpoints: it joins the tenants zset with its first and
 * leaves it with its last.
 * Returns 1 when written, 0 when the endpoint changed meanwhile (the caller reads and retries).
 */
const PUT_ENDPOINT = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[2] then return 0 end
for _, key in ipairs(cjson.decode(ARGV[4])) do redis.call('SREM', key, ARGV[1]) end
local tenant = ARGV[6]
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  if tenant ~= '' then
    redis.call('ZREM', KEYS[4], ARGV[1])
    if redis.call('ZCARD', KEYS[4]) == 0 then redis.call('ZREM', KEYS[3], tenant) end
  end
else
  redis.call('SET', KEYS[1], ARGV[3])
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
  if tenant ~= '' then
    redis.call('ZADD', KEYS[4], 0, ARGV[1])
    redis.call('ZADD', KEYS[3], 0, tenant)
  end
  for _, key in ipairs(cjson.decode(ARGV[5])) do redis.call('SADD', key, ARGV[1]) end
end
redis.call('PUBLISH', ARGV[7], ARGV[1])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    hlTransition(
      ...args: [string, string, string, string, string, string, ...(string | number)[]]
    ): Result<[string, number], Context>;
    hlRequeue(...args: [string, string, string, string, ...string[]]): Result<string, Context>;
    hlRateLimit(...args: [string, string, number, number, string]): Result<number, Context>;
    hlPutEndpoint(
      ...args: [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    ): Result<number, Context>;
  }
}

/** Loads Hookline's scripts into a connection (ioredis sends EVALSHA, falling back to EVAL once). */
export function defineScripts(redis: Redis): void {
  redis.defineCommand('hlTransition', { numberOfKeys: 6, lua: TRANSITION });
  redis.defineCommand('hlRequeue', { numberOfKeys: 4, lua: REQUEUE });
  redis.defineCommand('hlRateLimit', { numberOfKeys: 2, lua: RATE_LIMIT });
  redis.defineCommand('hlPutEndpoint', { numberOfKeys: 4, lua: PUT_ENDPOINT });
}
