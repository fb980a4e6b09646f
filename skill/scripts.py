"""The Lua scripts behind ``skill.storage``'s operations, each with its KEYS and ARGV layout, and
``skill.storage`` lays out their arguments. Nothing else runs them (tools that seed households
go through ``Store.record_history``)."""

from __future__ import annotations

from string import Template

from . import rules

# One round trip, atomic: record the night (idempotent) and choose or keep its question. The
# rules are those of skill.rules (advance, choose_depth), with its constants formatted in; the
# property test tests/test_rules_property.py runs random histories through both.
# KEYS: hash, nights bitmap.  ARGV: night, mode, ttl seconds, epoch, tz field, tz value, then
# the sizes of the light, medium and deep banks for partners and for everyone else (0: no
# balancing). mode: "tonight" keeps tonight's question; "another" draws a new one at tonight's
# depth; "L"/"M"/"D" draws a new one at that depth (and steers the next nights: field 'ask').
CHECKIN_LUA = Template("""
local h, bits = KEYS[1], KEYS[2]
local night, mode = tonumber(ARGV[1]), ARGV[2]
local ttl, epoch = tonumber(ARGV[3]), tonumber(ARGV[4])
local s = redis.call('HMGET', h, 'last', 'streak', 'longest', 'total', 'rest', 'tn', 'tq', 'td',
                     'cL', 'cM', 'cD', 'ask', 'aud')
local last, streak = tonumber(s[1]), tonumber(s[2]) or 0
local longest, total, rest = tonumber(s[3]) or 0, tonumber(s[4]) or 0, tonumber(s[5])
local tn, tq, td = tonumber(s[6]), tonumber(s[7]), s[8]
local first_ever, counted, rest_used, prev_last, prev_rest = 0, 0, -1, last or -1, rest or -1
if last ~= nil and night < last then night = last end
if last == nil or night > last then
  if last == nil then
    first_ever = 1
    streak = 1
    redis.call('HSET', h, 'first', night)
  elseif night - last == 1 then
    streak = streak + 1
  elseif night - last == 2 and (rest == nil or (night - 1) - rest >= $REST_WINDOW) then
    streak = streak + 1
    rest = night - 1
    rest_used = rest
  else
    streak = 1
  end
  if streak == 1 then
    rest = nil
    redis.call('HDEL', h, 'rest')
  else
    if rest ~= nil then redis.call('HSET', h, 'rest', rest) end
  end
  if streak > longest then longest = streak end
  total = total + 1
  counted = 1
  redis.call('HSET', h, 'last', night, 'streak', streak, 'longest', longest, 'total', total)
  if night >= epoch then redis.call('SETBIT', bits, night - epoch, 1) end
end
-- nights met in the last $RECENT_NIGHTS, tonight included
local recent = 0
local first_off, last_off = math.max(night - $RECENT_NIGHTS + 1, epoch) - epoch, night - epoch
if last_off >= 0 then
  local from_byte = math.floor(first_off / 8)
  local bytes = redis.call('GETRANGE', bits, from_byte, math.floor(last_off / 8))
  for i = 1, #bytes do
    local b = string.byte(bytes, i)
    for j = 0, 7 do
      local off = (from_byte + i - 1) * 8 + j
      if off >= first_off and off <= last_off and bit.band(b, bit.rshift(128, j)) ~= 0 then
        recent = recent + 1
      end
    end
  end
end
local depth = nil
if mode == 'tonight' then
  if tn ~= night then
    if recent <= $LIGHT_UNTIL then depth = 'L'
    else
      local cycle = {$HABIT_CYCLE}
      if recent <= $MEDIUM_UNTIL then cycle = {$WARMING_CYCLE} end
      depth = cycle[(total % #cycle) + 1]
    end
    local ask = s[12]
    if ask then
      local asked, at = string.sub(ask, 1, 1), tonumber(string.sub(ask, 3))
      if at and night - at >= 0 and night - at < $ASK_NIGHTS then
        if asked == 'L' and depth == 'D' then depth = 'M' end
        if asked == 'D' and depth == 'L' then depth = 'M' end
      end
    end
  end
elseif mode == 'another' then
  if tn == night and td then depth = td else depth = 'L' end
else
  depth = mode
  redis.call('HSET', h, 'ask', mode .. ':' .. night)
end
-- Never start a second pass through one bank while another still has unheard questions
-- (a household whose nights keep breaking would otherwise only ever draw light ones).
local aud = s[13]
local k = 7
if aud and aud ~= 'partners' then k = 10 end
local sizes = {L = tonumber(ARGV[k]) or 0, M = tonumber(ARGV[k + 1]) or 0,
               D = tonumber(ARGV[k + 2]) or 0}
if depth ~= nil and (mode == 'tonight' or mode == 'another') and sizes.L > 0 and sizes.M > 0
    and sizes.D > 0 then
  local used = {L = tonumber(s[9]) or 0, M = tonumber(s[10]) or 0, D = tonumber(s[11]) or 0}
  local best, best_share = nil, nil
  for _, d in ipairs({'L', 'M', 'D'}) do
    local share = used[d] / sizes[d]
    if best == nil or share < best_share then best, best_share = d, share end
  end
  if math.floor(used[depth] / sizes[depth]) > math.floor(best_share) then depth = best end
end
if depth ~= nil then
  tq = redis.call('HINCRBY', h, 'c' .. depth, 1) - 1
  td = depth
  redis.call('HSET', h, 'tn', night, 'tq', tq, 'td', td)
end
if ARGV[5] ~= '' then redis.call('HSET', h, ARGV[5], ARGV[6]) end
redis.call('EXPIRE', h, ttl)
if redis.call('EXISTS', bits) == 1 then redis.call('EXPIRE', bits, ttl) end
return {counted, streak, longest, total, first_ever, rest_used, prev_last, tq, td, night,
        rest or -1, recent, aud or '', prev_rest}
""").substitute(
    REST_WINDOW=rules.REST_WINDOW, RECENT_NIGHTS=rules.RECENT_NIGHTS,
    LIGHT_UNTIL=rules.LIGHT_UNTIL, MEDIUM_UNTIL=rules.MEDIUM_UNTIL, ASK_NIGHTS=rules.ASK_NIGHTS,
    WARMING_CYCLE=", ".join(f"'{d}'" for d in rules.WARMING_CYCLE),
    HABIT_CYCLE=", ".join(f"'{d}'" for d in rules.HABIT_CYCLE))

# One round trip: the streak, tonight's question, the rotation cursors, one device's cached zone,
# the reminder, the audience, the history bytes covering [from, to] nights and, when ARGV[4]
# names a rotation counter, that counter's value before this request (then incremented; a new
# household's key gets the full retention, ARGV[5]).
STATUS_LUA = """
local h, bits = KEYS[1], KEYS[2]
local s = redis.call('HMGET', h, 'last', 'streak', 'longest', 'total', 'rest', 'tn', 'tq', 'td',
                     'first', ARGV[1], 'rt', 'rtime', 'cL', 'cM', 'cD', 'ask', 'aud')
local from_byte, to_byte = tonumber(ARGV[2]), tonumber(ARGV[3])
local hist = ''
if to_byte >= 0 then hist = redis.call('GETRANGE', bits, math.max(from_byte, 0), to_byte) end
local counter = -1
if ARGV[4] ~= '' then
  local existed = redis.call('EXISTS', h)
  counter = redis.call('HINCRBY', h, ARGV[4], 1) - 1
  if existed == 0 then redis.call('EXPIRE', h, ARGV[5]) end
end
table.insert(s, hist)
table.insert(s, counter)
return s
"""


# KEYS: hash.  ARGV: ttl, only-if-exists flag, then field, value pairs.
SET_FIELDS_LUA = """
local exists = redis.call('EXISTS', KEYS[1])
if ARGV[2] == '1' and exists == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
if exists == 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1
"""
