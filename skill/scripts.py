"""The Lua scripts behind ``skill.storage``'s operations, each with its KEYS and ARGV layout, and
the household's stored layout, which only they read and write. ``skill.storage`` lays out their
arguments; nothing else runs them (tools that seed households go through
``Store.record_history``).

A household is one hash, small enough for Redis's compact encoding (ziplist or listpack: every
value at most 64 bytes, ``hash-max-ziplist-value``). Its fields:

    s         the state, 24 bytes packed big-endian (STATE): first night - NIGHT_EPOCH (3),
              last night - first (2), streak (2), longest (2), total (2), tonight's depth
              (1: 0 none, 1 light, 2 medium, 3 deep), the light, medium and deep cursors (3
              each), last - the run's rest night (2, 0: none) and the last ask (1: its depth
              times 16 plus last - its night; 0 once it can no longer steer). Tonight's night is
              the last one and its position the cursor of its depth less one: every check-in
              draws, so the script needs not store them
    b b1 b2   the nights: one bit per night from the household's first night on, CHUNK_BYTES
              bytes (512 nights) a field
    z<dev>    a device's cached time zone (dev: the first five hex digits of its hashed id)
    r | R     the reminder's alertToken: its 16 bytes when it is a UUID in lower case, else text
    m         the reminder's time, in minutes after midnight
    a         the audience ("friends", "family"; none for partners)
    n<code>   a rotation counter (code: the first five hex digits of the SHA-1 of its name, base 36)
    o         after a rotation of the secret: the id its own orders are keyed by, its id under
              the first secret it had, masked with the current one (16 bytes, ids.origin_of)
    .<name>   any other field, under its given name
While a household moves to another id: '>' on the key it leaves names the id it goes to, and '~'
on the key it reaches names the id it came from, until that key is deleted (see storage.Store).
"""

from __future__ import annotations

from datetime import date
from string import Template

from . import rules

NIGHT_EPOCH = date(2020, 1, 1).toordinal()  # bit 0 of the old bitmap; the state's first night
CHUNK_BYTES = 64  # a field of nights: 512 of them, the most a compact hash keeps in one value
STATE = ">i3HHHHBI3I3I3HB"  # the state's packing, in the format of Lua's struct library
UUID_PATTERN = "^" + "%-".join("%x" * n for n in (8, 4, 4, 4, 12)) + "$"  # in Lua's patterns

# Shared by every household script. KEYS: its hash, then its hash and nights bitmap (from
# NIGHT_EPOCH) in the layout before, which share its slot: `hold` moves them into the hash on
# first touch (`migrate`). Then `hold` says why the hash cannot be used now: it is moving to
# another id ('moving:<id>'), or it is missing while ARGV[1] is '1' ('miss': it may still be
# under the previous secret).
PRELUDE = Template(r"""
local h = KEYS[1]
local EPOCH, CHUNK = $NIGHT_EPOCH, $CHUNK_BYTES
local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function b36(n)
  local s = ''
  repeat
    local d = n % 36
    s, n = string.sub(DIGITS, d + 1, d + 1) .. s, (n - d) / 36
  until n == 0
  return s
end
local function stored_name(name)
  if string.sub(name, 1, 3) == 'tz:' then return 'z' .. string.sub(name, 4, 8) end
  if string.sub(name, 1, 2) == 'n:' then
    return 'n' .. b36(tonumber(string.sub(redis.sha1hex(name), 1, 5), 16))
  end
  return ({rt = 'r', rtime = 'm', aud = 'a'})[name] or ('.' .. name)
end
local UUID = '$UUID'
local function encode(name, value)
  if name == 'rt' then
    if string.match(value, UUID) and value == string.lower(value) then
      return 'r', (string.gsub((string.gsub(value, '-', '')), '%x%x',
                                function(x) return string.char(tonumber(x, 16)) end)), 'R'
    end
    return 'R', value, 'r'
  end
  local hh, mm = string.match(value, '^(%d%d):(%d%d)$$')
  if name == 'rtime' and hh then return 'm', tonumber(hh) * 60 + tonumber(mm) end
  return stored_name(name), value
end
local STATE, DEPTH, CODE = '$STATE', {'L', 'M', 'D'}, {L = 1, M = 2, D = 3}
local function load(raw)
  if not raw then return nil end
  local f, l, k, g, t, d, cl, cm, cd, r, a = struct.unpack(STATE, raw)
  local st = {first = EPOCH + f, streak = k, longest = g, total = t, c = {L = cl, M = cm, D = cd}}
  st.last = st.first + l
  if r > 0 then st.rest = st.last - r end
  if a > 0 then st.ask = {DEPTH[math.floor(a / 16)], st.last - a % 16} end
  if d > 0 then st.td = DEPTH[d]; st.tn, st.tq = st.last, st.c[st.td] - 1 end
  return st
end
local function dump(st)
  local ask = 0
  if st.ask and st.last - st.ask[2] < $ASK_NIGHTS then
    ask = CODE[st.ask[1]] * 16 + st.last - st.ask[2]
  end
  return struct.pack(STATE, st.first - EPOCH, st.last - st.first, st.streak, st.longest,
                     st.total, CODE[st.td] or 0, st.c.L, st.c.M, st.c.D,
                     st.rest and st.last - st.rest or 0, ask)
end
local function chunk_name(k) if k == 0 then return 'b' end return 'b' .. b36(k) end
local function nights_bytes(from, to)
  local out = {}
  while from <= to do
    local k = math.floor(from / CHUNK)
    local stop = math.min(to, k * CHUNK + CHUNK - 1)
    local part = string.sub(redis.call('HGET', h, chunk_name(k)) or '', from - k * CHUNK + 1,
                            stop - k * CHUNK + 1)
    if stop < to then part = part .. string.rep(string.char(0), stop - from + 1 - #part) end
    out[#out + 1] = part
    from = stop + 1
  end
  return table.concat(out)
end
local function set_night(off)
  local k = math.floor(off / (8 * CHUNK))
  local name, i = chunk_name(k), math.floor(off / 8) - k * CHUNK + 1
  local bytes = redis.call('HGET', h, name) or ''
  if #bytes < i then bytes = bytes .. string.rep(string.char(0), i - #bytes) end
  local b = bit.bor(string.byte(bytes, i), bit.rshift(128, off % 8))
  redis.call('HSET', h, name, string.sub(bytes, 1, i - 1) .. string.char(b) .. string.sub(bytes, i + 1))
end
local function migrate()
  local OLD_STATE = {last = 1, streak = 1, longest = 1, total = 1, rest = 1, first = 1, tn = 1,
                     tq = 1, td = 1, cL = 1, cM = 1, cD = 1, ask = 1}
  local raw, o, out = redis.call('HGETALL', KEYS[2]), {}, {}
  for i = 1, #raw, 2 do
    o[raw[i]] = raw[i + 1]
    if not OLD_STATE[raw[i]] then
      local name, value = encode(raw[i], raw[i + 1])
      out[#out + 1] = name; out[#out + 1] = value
    end
  end
  if o.last then
    local st = {last = tonumber(o.last), streak = tonumber(o.streak) or 0, td = o.td,
                longest = tonumber(o.longest) or 0, total = tonumber(o.total) or 0,
                rest = tonumber(o.rest), first = tonumber(o.first),
                c = {L = tonumber(o.cL) or 0, M = tonumber(o.cM) or 0, D = tonumber(o.cD) or 0}}
    if not st.first then  -- the first bit of its nights, else its last night
      local pos = redis.call('BITPOS', KEYS[3], 1)
      st.first = pos >= 0 and EPOCH + pos or st.last
    end
    local asked, at = string.match(o.ask or '', '^(%a):(%d+)$$')
    if asked then st.ask = {asked, tonumber(at)} end
    out[#out + 1] = 's'; out[#out + 1] = dump(st)
    -- the nights from the first on: the old bitmap shifted left by the first night's bit
    local old, off = redis.call('GET', KEYS[3]) or '', st.first - EPOCH
    if off < 0 then
      local pad = math.ceil(-off / 8)
      old, off = string.rep(string.char(0), pad) .. old, off + 8 * pad
    end
    local q, r, new = math.floor(off / 8), off % 8, {}
    for i = q + 1, #old do
      local b = bit.lshift(string.byte(old, i), r) + bit.rshift(string.byte(old, i + 1) or 0, 8 - r)
      new[#new + 1] = string.char(bit.band(b, 255))
    end
    local bits = string.gsub(table.concat(new), '%z+$$', '')
    for k = 0, math.ceil(#bits / CHUNK) - 1 do
      local part = string.sub(bits, k * CHUNK + 1, k * CHUNK + CHUNK)
      if string.find(part, '[^%z]') then out[#out + 1] = chunk_name(k); out[#out + 1] = part end
    end
  end
  local ttl = redis.call('PTTL', KEYS[2])
  if #out > 0 then redis.call('HSET', h, unpack(out)) end
  redis.call('DEL', KEYS[2], KEYS[3])
  if ttl > 0 and #out > 0 then redis.call('PEXPIRE', h, ttl) end
end
local function hold(flag)
  if redis.call('EXISTS', h) == 0 then
    if redis.call('EXISTS', KEYS[2]) == 1 then migrate()
    elseif flag == '1' then return 'miss' end
    return nil
  end
  local leaving = redis.call('HGET', h, '>')
  if leaving then return 'moving:' .. leaving end
end
""").substitute(NIGHT_EPOCH=NIGHT_EPOCH, CHUNK_BYTES=CHUNK_BYTES, ASK_NIGHTS=rules.ASK_NIGHTS,
                STATE=STATE, UUID=UUID_PATTERN)

# One round trip, atomic: record the night (idempotent) and choose or keep its question. The
# rules are those of skill.rules (advance, choose_depth), with its constants formatted in; the
# property test tests/test_rules_property.py runs random histories through both.
# ARGV: hold flag, night, mode, ttl seconds, tz field, tz value, then the sizes of the light,
# medium and deep banks for partners and for everyone else (0: no balancing). mode: "tonight"
# keeps tonight's question; "another" draws a new one at tonight's depth; "L"/"M"/"D" draws a
# new one at that depth (and steers the next nights: the state's ask).
CHECKIN_LUA = PRELUDE + Template("""
local stop = hold(ARGV[1])
if stop then return stop end
local night, mode, ttl = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local got = redis.call('HMGET', h, 's', 'a', '~', 'o')
local st = load(got[1]) or {streak = 0, longest = 0, total = 0, c = {L = 0, M = 0, D = 0}}
local last, streak, longest, total, rest = st.last, st.streak, st.longest, st.total, st.rest
local tn, tq, td = st.tn, st.tq, st.td
local first_ever, counted, rest_used, prev_last, prev_rest = 0, 0, -1, last or -1, rest or -1
if last ~= nil and night < last then night = last end
if last == nil or night > last then
  if last == nil then
    first_ever, streak, st.first = 1, 1, night
  elseif night - last == 1 then
    streak = streak + 1
  elseif night - last == 2 and (rest == nil or (night - 1) - rest >= $REST_WINDOW) then
    streak, rest = streak + 1, night - 1
    rest_used = rest
  else
    streak = 1
  end
  if streak == 1 then rest = nil end
  if streak > longest then longest = streak end
  total, counted = total + 1, 1
  st.last, st.streak, st.longest, st.total, st.rest = night, streak, longest, total, rest
  set_night(night - st.first)
end
-- nights met in the last $RECENT_NIGHTS, tonight included
local e = st.first
local first_off, last_off = math.max(night - $RECENT_NIGHTS + 1, e) - e, night - e
local from_byte = math.floor(first_off / 8)
local bytes = nights_bytes(from_byte, math.floor(last_off / 8))
local recent = 0
for i = 1, #bytes do
  local b = string.byte(bytes, i)
  for j = 0, 7 do
    local off = (from_byte + i - 1) * 8 + j
    if off >= first_off and off <= last_off and bit.band(b, bit.rshift(128, j)) ~= 0 then
      recent = recent + 1
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
    if st.ask then
      local asked, at = st.ask[1], st.ask[2]
      if night - at >= 0 and night - at < $ASK_NIGHTS then
        if asked == 'L' and depth == 'D' then depth = 'M' end
        if asked == 'D' and depth == 'L' then depth = 'M' end
      end
    end
  end
elseif mode == 'another' then
  if tn == night and td then depth = td else depth = 'L' end
else
  depth = mode
  st.ask = {mode, night}
end
-- Never start a second pass through one bank while another still has unheard questions
-- (a household whose nights keep breaking would otherwise only ever draw light ones).
local aud = got[2]
local k = 7
if aud and aud ~= 'partners' then k = 10 end
local sizes = {L = tonumber(ARGV[k]) or 0, M = tonumber(ARGV[k + 1]) or 0,
               D = tonumber(ARGV[k + 2]) or 0}
if depth ~= nil and (mode == 'tonight' or mode == 'another') and sizes.L > 0 and sizes.M > 0
    and sizes.D > 0 then
  local best, best_share = nil, nil
  for _, d in ipairs({'L', 'M', 'D'}) do
    local share = st.c[d] / sizes[d]
    if best == nil or share < best_share then best, best_share = d, share end
  end
  if math.floor(st.c[depth] / sizes[depth]) > math.floor(best_share) then depth = best end
end
if depth ~= nil then
  st.c[depth] = st.c[depth] + 1
  tq, td = st.c[depth] - 1, depth
  st.tn, st.tq, st.td = night, tq, td
end
local state = dump(st)
if state ~= got[1] then redis.call('HSET', h, 's', state) end
if ARGV[5] ~= '' then redis.call('HSET', h, stored_name(ARGV[5]), ARGV[6]) end
redis.call('EXPIRE', h, ttl)
return {counted, streak, longest, total, first_ever, rest_used, prev_last, tq or 0, td or false,
        night, rest or -1, recent, aud or '', prev_rest, got[3] or '', got[4] or ''}
""").substitute(
    REST_WINDOW=rules.REST_WINDOW, RECENT_NIGHTS=rules.RECENT_NIGHTS,
    LIGHT_UNTIL=rules.LIGHT_UNTIL, MEDIUM_UNTIL=rules.MEDIUM_UNTIL, ASK_NIGHTS=rules.ASK_NIGHTS,
    WARMING_CYCLE=", ".join(f"'{d}'" for d in rules.WARMING_CYCLE),
    HABIT_CYCLE=", ".join(f"'{d}'" for d in rules.HABIT_CYCLE))

# One round trip: the state, one device's cached zone, the reminder, the audience, the nights
# from ARGV[3] to ARGV[4] ('': from the first, to the last) with the night of their first bit
# and, when ARGV[5] names a rotation counter, that counter's value before this request (then
# incremented; a new household's key gets the full retention, ARGV[6]).
# ARGV: hold flag, tz field, from night, to night, counter, ttl seconds.
STATUS_LUA = PRELUDE + r"""
local stop = hold(ARGV[1])
if stop then return stop end
local v = redis.call('HMGET', h, 's', stored_name(ARGV[2]), 'r', 'R', 'm', 'a', '~', 'o')
local st = load(v[1]) or {c = {}}
local counter = -1
if ARGV[5] ~= '' then
  local existed = redis.call('EXISTS', h)
  counter = redis.call('HINCRBY', h, stored_name(ARGV[5]), 1) - 1
  if existed == 0 then redis.call('EXPIRE', h, ARGV[6]) end
end
local hist, from = '', 0
if st.first then
  local e = st.first
  local lo, hi = math.max(tonumber(ARGV[3]) or e, e), tonumber(ARGV[4]) or st.last
  if hi >= lo then
    local fb = math.floor((lo - e) / 8)
    hist, from = nights_bytes(fb, math.floor((hi - e) / 8)), e + fb * 8
  end
end
local token = v[4]
if v[3] then
  local x = string.gsub(v[3], '.', function(c) return string.format('%02x', string.byte(c)) end)
  token = string.sub(x, 1, 8) .. '-' .. string.sub(x, 9, 12) .. '-' .. string.sub(x, 13, 16) ..
          '-' .. string.sub(x, 17, 20) .. '-' .. string.sub(x, 21)
end
local at = v[5]
if at and string.match(at, '^%d+$') then
  at = string.format('%02d:%02d', math.floor(at / 60), at % 60)
end
local ask = false
if st.ask then ask = st.ask[1] .. ':' .. st.ask[2] end
return {st.last or false, st.streak or 0, st.longest or 0, st.total or 0, st.rest or false,
        st.tn or false, st.tq or false, st.td or false, st.first or false, v[2], token or false,
        at or false, st.c.L or 0, st.c.M or 0, st.c.D or 0, ask, v[6], hist, counter, from, v[7],
        v[8]}
"""

# ARGV: hold flag, ttl, only-if-exists flag, then public field, value pairs. A new household's
# key gets the full retention; settings never extend an existing one's.
SET_FIELDS_LUA = PRELUDE + """
local stop = hold(ARGV[1])
if stop then return stop end
local exists = redis.call('EXISTS', h)
if ARGV[3] == '1' and exists == 0 then return 0 end
for i = 4, #ARGV, 2 do
  local name, value, replaced = encode(ARGV[i], ARGV[i + 1])
  redis.call('HSET', h, name, value)
  if replaced then redis.call('HDEL', h, replaced) end
end
if exists == 0 then redis.call('EXPIRE', h, ARGV[2]) end
return 1
"""

# ARGV: hold flag, then public field names.
DELETE_FIELDS_LUA = PRELUDE + """
local stop = hold(ARGV[1])
if stop then return stop end
for i = 2, #ARGV do
  redis.call('HDEL', h, stored_name(ARGV[i]))
  if ARGV[i] == 'rt' then redis.call('HDEL', h, 'R') end
end
return 1
"""

# The first step of a move to another id: mark the household as leaving for ARGV[1] and return
# the PTTL of its key, then its fields (nil when it is not there). KEYS: as every household
# script's.
TAKE_LUA = PRELUDE + """
if redis.call('EXISTS', h) == 0 then
  if redis.call('EXISTS', KEYS[2]) == 0 then return false end
  migrate()
end
redis.call('HSET', h, '>', ARGV[1])
local raw, out = redis.call('HGETALL', h), {redis.call('PTTL', h)}
for i = 1, #raw, 2 do
  if raw[i] ~= '>' and raw[i] ~= '~' then out[#out + 1] = raw[i]; out[#out + 1] = raw[i + 1] end
end
return out
"""

# The second step: write the household under its new key, unless it is there already (another
# request moved it first). ARGV: where it came from (for '~'), its 'o' ('' for none), the PTTL
# to keep, the asking device's zone field under the old secret and under the new one ('' '':
# the same device ids, keep every zone; other devices' zones are dropped, to be read again),
# then its other fields as TAKE_LUA returned them.
PUT_LUA = PRELUDE + """
if redis.call('EXISTS', h) == 1 then return 0 end
local from, to = nil, nil
if ARGV[4] ~= '' then from, to = stored_name(ARGV[4]), stored_name(ARGV[5]) end
local f = {'~', ARGV[1]}
if ARGV[2] ~= '' then f[3], f[4] = 'o', ARGV[2] end
for i = 6, #ARGV, 2 do
  local name = ARGV[i]
  if from and name == from then name = to
  elseif from and string.sub(name, 1, 1) == 'z' then name = nil end
  if name then f[#f + 1] = name; f[#f + 1] = ARGV[i + 1] end
end
redis.call('HSET', h, unpack(f))
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', h, ARGV[3]) end
return 1
"""

# The last step: delete the key the household left, if it left it for ARGV[1].
FINISH_LUA = """
if redis.call('HGET', KEYS[1], '>') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""
