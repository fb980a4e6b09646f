"""The household's memory in Redis: the key layout and the Lua scripts live here and nowhere else.

Every key of a household shares one hash tag, ``{<household>}``, so the multi-key scripts run on
Redis Cluster unchanged. The household id is an HMAC of the Alexa user id: no raw id is stored.

Keys of household ``h``:
    ck:{h}         hash: the streak (last, streak, longest, total, rest, first), tonight's question
                   (tn, tq, td), rotation cursors (cL, cM, cD), device time zones (tz:<device>),
                   the reminder (rt, rtime)
    ck:{h}:nights  bitmap: one bit per night since NIGHT_EPOCH, the history of nights
Both expire RETENTION_DAYS after the household's last check-in.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from string import Template
from urllib.parse import parse_qs, urlsplit

import redis
from redis.cluster import RedisCluster

from . import rules
from .errors import StorageError

RETENTION_DAYS = 400
NIGHT_EPOCH = date(2020, 1, 1).toordinal()  # bit 0 of the nights bitmap
KEY_PREFIX = "ck:"


def household_id(secret: bytes, user_id: str) -> str:
    return hmac.new(secret, b"user:" + user_id.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()[:32]


def device_id_hash(secret: bytes, device_id: str) -> str:
    return hmac.new(secret, b"device:" + device_id.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()[:16]


def key_for(household: str, kind: str = "") -> str:
    base = f"{KEY_PREFIX}{{{household}}}"
    return f"{base}:{kind}" if kind else base


def connect(url: str, timeout: float) -> redis.Redis | RedisCluster:
    """A client for ``redis://``, ``rediss://``, ``unix://`` or a cluster URL."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    cluster = parts.scheme in ("redis+cluster", "rediss+cluster") or query.get(
        "cluster", ["false"]
    )[0].lower() in ("1", "true", "yes")
    kwargs = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if cluster:
        scheme = "rediss" if parts.scheme.startswith("rediss") else "redis"
        rest = [f"{k}={v}" for k, vs in query.items() if k != "cluster" for v in vs]
        clean = f"{scheme}://{parts.netloc}{parts.path}" + (f"?{'&'.join(rest)}" if rest else "")
        return RedisCluster.from_url(clean, **kwargs)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"REDIS_URL scheme {parts.scheme!r} is not redis, rediss or unix")
    return redis.Redis.from_url(url, health_check_interval=30, **kwargs)


# One round trip, atomic: record the night (idempotent) and choose or keep its question. The
# rules are those of skill.rules (advance, choose_depth), with its constants formatted in; the
# property test tests/test_rules_property.py runs random histories through both.
# KEYS: hash, nights bitmap.  ARGV: night, mode, ttl seconds, epoch, tz field, tz value, and the
# sizes of the light, medium and deep banks (0: no balancing).
# mode: "tonight" keeps tonight's question; "another" draws a new one at tonight's depth;
# "L"/"M"/"D" draws a new one at that depth.
CHECKIN_LUA = Template("""
local h, bits = KEYS[1], KEYS[2]
local night, mode = tonumber(ARGV[1]), ARGV[2]
local ttl, epoch = tonumber(ARGV[3]), tonumber(ARGV[4])
local s = redis.call('HMGET', h, 'last', 'streak', 'longest', 'total', 'rest', 'tn', 'tq', 'td',
                     'cL', 'cM', 'cD')
local last, streak = tonumber(s[1]), tonumber(s[2]) or 0
local longest, total, rest = tonumber(s[3]) or 0, tonumber(s[4]) or 0, tonumber(s[5])
local tn, tq, td = tonumber(s[6]), tonumber(s[7]), s[8]
local first_ever, counted, rest_used, prev_last = 0, 0, -1, last or -1
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
local depth = nil
if mode == 'tonight' then
  if tn ~= night then
    if streak <= $LIGHT_UNTIL then depth = 'L'
    elseif streak <= $MEDIUM_UNTIL then
      if streak % 3 == 0 then depth = 'L' else depth = 'M' end
    else
      local cycle = {$DEEP_CYCLE}
      depth = cycle[(streak % 3) + 1]
    end
  end
elseif mode == 'another' then
  if tn == night and td then depth = td else depth = 'L' end
else
  depth = mode
end
-- Never start a second pass through one bank while another still has unheard questions
-- (a household whose streak keeps breaking would otherwise only ever draw light ones).
local sizes = {L = tonumber(ARGV[7]) or 0, M = tonumber(ARGV[8]) or 0, D = tonumber(ARGV[9]) or 0}
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
        rest or -1}
""").substitute(
    REST_WINDOW=rules.REST_WINDOW, LIGHT_UNTIL=rules.LIGHT_UNTIL, MEDIUM_UNTIL=rules.MEDIUM_UNTIL,
    DEEP_CYCLE=", ".join(f"'{d}'" for d in rules.DEEP_CYCLE))

# One round trip: the streak, tonight's question, one device's cached zone, the reminder and
# the history bytes covering [from, to] nights.
STATUS_LUA = """
local h, bits = KEYS[1], KEYS[2]
local s = redis.call('HMGET', h, 'last', 'streak', 'longest', 'total', 'rest', 'tn', 'tq', 'td',
                     'first', ARGV[1], 'rt', 'rtime')
local from_byte, to_byte = tonumber(ARGV[2]), tonumber(ARGV[3])
local hist = ''
if to_byte >= 0 then hist = redis.call('GETRANGE', bits, math.max(from_byte, 0), to_byte) end
table.insert(s, hist)
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


@dataclass(frozen=True)
class CheckinResult:
    counted: bool  # this call added tonight to the history
    streak: int
    longest: int
    total: int
    first_ever: bool
    rest_used: int | None  # the rest night this check-in bridged, if any
    previous_night: int | None
    question_position: int  # position in the household's rotation of `depth`
    depth: str  # "L" | "M" | "D"
    night: int
    rest_night: int | None  # the rest night of the current run, if any


@dataclass(frozen=True)
class Status:
    last: int | None
    streak: int
    longest: int
    total: int
    rest_night: int | None
    tonight_night: int | None
    question_position: int | None
    depth: str | None
    first: int | None
    device_tz: str | None
    reminder_token: str | None
    reminder_time: str | None
    history: bytes  # bitmap bytes from `history_from` on
    history_from: int  # night number of the first bit of `history`

    @property
    def streak_state(self) -> rules.Streak:
        return rules.Streak(self.last, self.streak, self.longest, self.total, self.rest_night)

    def checked_in(self, night: int) -> bool:
        offset = night - self.history_from
        if offset < 0 or offset >= len(self.history) * 8:
            return False
        return bool(self.history[offset // 8] & (0x80 >> (offset % 8)))

    def nights_in(self, first: int, last: int) -> int:
        """How many nights in [first, last] have a check-in (one popcount over the bitmap)."""
        bits = len(self.history) * 8
        start, end = max(first - self.history_from, 0), min(last - self.history_from, bits - 1)
        if end < start:
            return 0
        value = int.from_bytes(self.history, "big")
        window = (value >> (bits - 1 - end)) & ((1 << (end - start + 1)) - 1)
        return bin(window).count("1")


def _int(value) -> int | None:
    return None if value is None else int(value)


def _str(value) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _checkin_call(household: str, night: int, mode: str, tz_field: str, tz_value: str,
                  bank_sizes: tuple[int, int, int]) -> dict:
    """The keys and arguments of CHECKIN_LUA, in its layout."""
    if mode not in rules.MODES:
        raise ValueError(f"unknown check-in mode {mode!r}")
    return {"keys": [key_for(household), key_for(household, "nights")],
            "args": [night, mode, RETENTION_DAYS * 86400, NIGHT_EPOCH, tz_field, tz_value,
                     *bank_sizes]}


class Store:
    """Named operations on a household; handlers never touch Redis directly."""

    def __init__(self, client: redis.Redis | RedisCluster):
        self.client = client
        self._checkin = client.register_script(CHECKIN_LUA)
        self._status = client.register_script(STATUS_LUA)
        self._set_fields = client.register_script(SET_FIELDS_LUA)

    def _run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (redis.RedisError, OSError) as e:
            raise StorageError(f"{type(e).__name__}: {e}") from e

    def ping(self) -> None:
        self._run(self.client.ping)

    def record_checkin(
        self,
        household: str,
        night: int,
        mode: str = "tonight",
        *,
        tz_field: str = "",
        tz_value: str = "",
        bank_sizes: tuple[int, int, int] = (0, 0, 0),
    ) -> CheckinResult:
        raw = self._run(self._checkin, **_checkin_call(household, night, mode, tz_field,
                                                       tz_value, bank_sizes))
        counted, streak, longest, total, first, rest_used, prev, tq, td, eff, rest = raw
        return CheckinResult(
            counted=bool(counted), streak=int(streak), longest=int(longest), total=int(total),
            first_ever=bool(first), rest_used=None if int(rest_used) < 0 else int(rest_used),
            previous_night=None if int(prev) < 0 else int(prev), question_position=int(tq),
            depth=_str(td), night=int(eff), rest_night=None if int(rest) < 0 else int(rest),
        )

    def record_history(self, checkins, bank_sizes: tuple[int, int, int] = (0, 0, 0),
                       batch: int = 2000) -> int:
        """Record many past check-ins, `(household, night, mode)` in order, pipelined (tools that
        give households a past: the benchmark, the memory script). Returns how many were sent."""
        pipe = self.client.pipeline(transaction=False)
        sent = 0
        for household, night, mode in checkins:
            self._checkin(client=pipe, **_checkin_call(household, night, mode, "", "", bank_sizes))
            sent += 1
            if len(pipe) >= batch:
                self._run(pipe.execute)
        self._run(pipe.execute)
        return sent

    def status(self, household: str, *, tz_field: str = "tz:-", tonight: int | None = None,
               history_nights: int = 35) -> Status:
        """Everything a handler needs to know about a household, in one round trip."""
        if tonight is None:
            from_byte, to_byte, history_from = 0, -1, NIGHT_EPOCH
        else:
            first_night = max(tonight - history_nights, NIGHT_EPOCH)
            from_byte = (first_night - NIGHT_EPOCH) // 8
            to_byte = (tonight - NIGHT_EPOCH) // 8
            history_from = NIGHT_EPOCH + from_byte * 8
        raw = self._run(
            self._status,
            keys=[key_for(household), key_for(household, "nights")],
            args=[tz_field, from_byte, to_byte],
        )
        (last, streak, longest, total, rest, tn, tq, td, first, tz, rt, rtime, hist) = raw
        return Status(
            last=_int(last), streak=_int(streak) or 0, longest=_int(longest) or 0,
            total=_int(total) or 0, rest_night=_int(rest), tonight_night=_int(tn),
            question_position=_int(tq), depth=_str(td), first=_int(first), device_tz=_str(tz),
            reminder_token=_str(rt), reminder_time=_str(rtime),
            history=hist if isinstance(hist, bytes) else (hist or "").encode("latin-1"),
            history_from=history_from,
        )

    def set_fields(self, household: str, *, only_existing: bool = False, **fields: str) -> bool:
        """Small settings of a household (device zone, reminder). They never extend its
        retention (that runs from the last check-in); a new household's key gets the full
        retention. With `only_existing`, nothing is written for a household with no key."""
        args = [RETENTION_DAYS * 86400, "1" if only_existing else "0"]
        for name, value in fields.items():
            args += [name, value]
        return bool(self._run(self._set_fields, keys=[key_for(household)], args=args))

    def delete_fields(self, household: str, *names: str) -> None:
        self._run(self.client.hdel, key_for(household), *names)

    def forget(self, household: str) -> int:
        """Delete every key of a household; returns how many existed."""
        return int(self._run(self.client.delete, key_for(household), key_for(household, "nights")))
