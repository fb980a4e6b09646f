"""The household's memory in Redis: the key layout and the named operations live here, the Lua
scripts they run in ``skill/scripts.py``, and nowhere else.

Every key of a household shares one hash tag, ``{<household>}``, so the multi-key scripts run on
Redis Cluster unchanged. The household id is an HMAC of the Alexa user id: no raw id is stored.

Keys of household ``h``:
    ck:{h}         hash: the streak (last, streak, longest, total, rest, first), tonight's question
                   (tn, tq, td), rotation cursors (cL, cM, cD), device time zones (tz:<device>),
                   the reminder (rt, rtime)
    ck:{h}:nights  bitmap: one bit per night since NIGHT_EPOCH, the history of nights
Both expire RETENTION_DAYS after the household's last check-in. The check-in script writes both
in one atomic call (under ``noeviction`` a full Redis refuses it before its first write), and
``forget`` deletes both in one DEL: no write path leaves the pair split (an evicting Redis could,
which is why it is refused: skill.memory).

The service's own keys (``checkin:*``): the readiness probe (skill.memory), and the embedded
store's erasure marker and rewrite rate limit (skill.erasure).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlsplit

import redis
from redis.cluster import RedisCluster

from . import rules, scripts
from .errors import StorageError

RETENTION_DAYS = 400
# The service's own keys, outside the households' "ck:" prefix:
READY_PROBE_KEY = "checkin:ready-probe"  # /readyz writes it: does Redis take writes?
ERASE_PENDING_KEY = "checkin:erase-pending"  # set by a forget: the store's files still hold data
ERASE_REWRITE_KEY = "checkin:erase-rewrite"  # lives an hour after each rewrite: the rate limit
NON_EVICTING = "noeviction"
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
    recent: int = 0  # nights met in the last rules.RECENT_NIGHTS, tonight included
    audience: str = ""  # "" (partners) | "friends" | "family"
    previous_rest: int | None = None  # the run's rest night before this check-in


BankSizes = tuple[int, int, int] | tuple[int, int, int, int, int, int]


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
    used: dict[str, int] = field(default_factory=dict)  # questions drawn from each depth's bank
    ask: tuple[str, int] | None = None  # the last explicit depth asked for, and its night
    audience: str = ""  # "" (partners) | "friends" | "family"
    counter: int | None = None  # the rotation counter asked for, before this request

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


def _ask(value) -> tuple[str, int] | None:
    text = _str(value)
    depth, _, night = (text or "").partition(":")
    return (depth, int(night)) if depth in rules.DEPTHS and night.isdigit() else None


def _checkin_call(household: str, night: int, mode: str, tz_field: str, tz_value: str,
                  bank_sizes: BankSizes) -> dict:
    """The keys and arguments of CHECKIN_LUA, in its layout. `bank_sizes`: light, medium, deep
    for partners, then for everyone else (three alone: the same for both)."""
    if mode not in rules.MODES:
        raise ValueError(f"unknown check-in mode {mode!r}")
    sizes = tuple(bank_sizes) * 2 if len(bank_sizes) == 3 else tuple(bank_sizes)
    return {"keys": [key_for(household), key_for(household, "nights")],
            "args": [night, mode, RETENTION_DAYS * 86400, NIGHT_EPOCH, tz_field, tz_value,
                     *sizes]}


class Store:
    """Named operations on a household; handlers never touch Redis directly."""

    def __init__(self, client: redis.Redis | RedisCluster, *, mark_erasures: bool = False):
        self.client = client
        self.mark_erasures = mark_erasures  # the embedded store: its files are rewritten
        self._checkin = client.register_script(scripts.CHECKIN_LUA)
        self._status = client.register_script(scripts.STATUS_LUA)
        self._set_fields = client.register_script(scripts.SET_FIELDS_LUA)

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
        bank_sizes: BankSizes = (0, 0, 0),
    ) -> CheckinResult:
        raw = self._run(self._checkin, **_checkin_call(household, night, mode, tz_field,
                                                       tz_value, bank_sizes))
        (counted, streak, longest, total, first, rest_used, prev, tq, td, eff, rest, recent, aud,
         prev_rest) = raw
        return CheckinResult(
            counted=bool(counted), streak=int(streak), longest=int(longest), total=int(total),
            first_ever=bool(first), rest_used=None if int(rest_used) < 0 else int(rest_used),
            previous_night=None if int(prev) < 0 else int(prev), question_position=int(tq),
            depth=_str(td), night=int(eff), rest_night=None if int(rest) < 0 else int(rest),
            recent=int(recent), audience=_str(aud) or "",
            previous_rest=None if int(prev_rest) < 0 else int(prev_rest),
        )

    def record_history(self, checkins, bank_sizes: BankSizes = (0, 0, 0),
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
               history_nights: int = 35, counter: str = "") -> Status:
        """Everything a handler needs to know about a household, in one round trip; with
        `counter`, also that rotation counter's value, incremented for the next request."""
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
            args=[tz_field, from_byte, to_byte, counter, RETENTION_DAYS * 86400],
        )
        (last, streak, longest, total, rest, tn, tq, td, first, tz, rt, rtime, c_l, c_m, c_d,
         ask, aud, hist, count) = raw
        return Status(
            last=_int(last), streak=_int(streak) or 0, longest=_int(longest) or 0,
            total=_int(total) or 0, rest_night=_int(rest), tonight_night=_int(tn),
            question_position=_int(tq), depth=_str(td), first=_int(first), device_tz=_str(tz),
            reminder_token=_str(rt), reminder_time=_str(rtime),
            history=hist if isinstance(hist, bytes) else (hist or "").encode("latin-1"),
            history_from=history_from,
            used={"L": _int(c_l) or 0, "M": _int(c_m) or 0, "D": _int(c_d) or 0},
            ask=_ask(ask), audience=_str(aud) or "",
            counter=None if int(count) < 0 else int(count),
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
        """Delete every key of a household (one DEL: the pair is never left split); returns how
        many existed. On the embedded store, a marker then tells the rewrite of its files
        (skill.erasure) that deleted data is still on disk."""
        deleted = int(self._run(self.client.delete, key_for(household),
                                key_for(household, "nights")))
        try:  # after the DEL, which frees memory even when Redis is full
            if self.mark_erasures:
                self._run(self.client.set, ERASE_PENDING_KEY, "1")
        except StorageError:
            pass  # the household is gone from memory all the same; the files keep it longer
        return deleted

    def household_zone(self, household: str) -> str | None:
        """The zone most recently read for any of the household's devices (its cached value,
        ``zone|when``): the fallback while the time-zone API is slow or failing. A read of its
        own, made only then."""
        fields = self._run(self.client.hgetall, key_for(household))
        zones = [_str(v) for k, v in fields.items() if _str(k).startswith("tz:")]
        dated = [(int(z.rpartition("|")[2]), z) for z in zones if z and z.rpartition("|")[2].isdigit()]
        return max(dated)[1] if dated else None
