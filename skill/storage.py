"""The household's memory in Redis: the keys and the named operations live here, the Lua scripts
(and the stored layout of a household's fields, which only they read and write) in
``skill/scripts.py``, and nowhere else.

A household is one hash, ``ck{<household id>}``; the id is an HMAC of the Alexa user id, so no
raw id is stored. It expires RETENTION_DAYS after the household's last check-in. Its hash tag
puts it in the slot of its keys in the layout before this one (``ck:{<id>}`` and
``ck:{<id>}:nights``), so every script moves those into it on first touch, in the same round
trip, on Redis Cluster too.

Each script writes the household atomically (under ``noeviction`` a full Redis refuses it before
its first write), and ``forget`` deletes it in one DEL (an evicting Redis would drop households
whole, which is why it is refused: skill.memory).

Rotating CHECKIN_USER_ID_SECRET changes every id, and so every key's slot. A household whose
key is missing is then looked for under its id by the previous secret (`previous`; ordinary
requests stay one round trip) and moved (``Store._move``): the old key is marked as leaving, its
fields are written under the new key with its TTL, the old key is deleted and the new key's note
of where it came from is cleared. Each step is idempotent, so a request that finds a move half
done (another request's, or one cut short by a crash) completes it.

The service's own keys (``checkin:*``): the readiness probe (skill.memory), and the embedded
store's erasure marker and rewrite rate limit (skill.erasure).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import redis
from redis.cluster import RedisCluster

from . import rules, scripts
from .errors import StorageError
from .ids import Previous
from .nights import cached_zone
from .ids import device_id_hash as device_id_hash  # the ids of households, for their callers
from .ids import household_id as household_id

log = logging.getLogger("checkin")

RETENTION_DAYS = 400
# The service's own keys, outside the households' "ck" prefix:
READY_PROBE_KEY = "checkin:ready-probe"  # /readyz writes it: does Redis take writes?
ERASE_PENDING_KEY = "checkin:erase-pending"  # set by a forget: the store's files still hold data
ERASE_REWRITE_KEY = "checkin:erase-rewrite"  # lives an hour after each rewrite: the rate limit
NON_EVICTING = "noeviction"
NIGHT_EPOCH = scripts.NIGHT_EPOCH


def key_for(household: str) -> str:
    return f"ck{{{household}}}"


def legacy_keys(household: str) -> list[str]:
    """The household's keys in the layout before this one: its hash and its nights bitmap."""
    return [f"ck:{{{household}}}", f"ck:{{{household}}}:nights"]


def _keys(household: str) -> list[str]:
    """The KEYS of every household script (scripts.PRELUDE)."""
    return [key_for(household), *legacy_keys(household)]


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
    origin: bytes | None = None  # after a rotation: the id its orders are keyed by (origin_of)


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
    origin: bytes | None = None  # after a rotation: the id its orders are keyed by (origin_of)

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
    """The keys and arguments of CHECKIN_LUA, in its layout (after the hold flag). `bank_sizes`:
    light, medium, deep for partners, then for everyone else (three alone: the same for both)."""
    if mode not in rules.MODES:
        raise ValueError(f"unknown check-in mode {mode!r}")
    sizes = tuple(bank_sizes) * 2 if len(bank_sizes) == 3 else tuple(bank_sizes)
    return {"keys": _keys(household),
            "args": [night, mode, RETENTION_DAYS * 86400, tz_field, tz_value, *sizes]}


class Store:
    """Named operations on a household; handlers never touch Redis directly. `previous`, where
    an operation takes it, is the household under the previous secret during a rotation."""

    def __init__(self, client: redis.Redis | RedisCluster, *, mark_erasures: bool = False):
        self.client = client
        self.mark_erasures = mark_erasures  # the embedded store: its files are rewritten
        self._checkin = client.register_script(scripts.CHECKIN_LUA)
        self._status = client.register_script(scripts.STATUS_LUA)
        self._set_fields = client.register_script(scripts.SET_FIELDS_LUA)
        self._delete_fields = client.register_script(scripts.DELETE_FIELDS_LUA)
        self._take = client.register_script(scripts.TAKE_LUA)
        self._put = client.register_script(scripts.PUT_LUA)
        self._finish = client.register_script(scripts.FINISH_LUA)

    def _run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (redis.RedisError, OSError) as e:
            raise StorageError(f"{type(e).__name__}: {e}") from e

    def ping(self) -> None:
        self._run(self.client.ping)

    # -- finding a household that is not under its key ----------------------------------------

    def _call(self, script, household: str, args: list, previous: Previous | None):
        """Run a household script: one round trip, unless the household is missing while a
        previous secret is set (then it is looked for under that, moved, and the script runs
        again, now free to create it)."""
        flag = "0" if previous is None else "1"
        for _ in range(4):
            raw = self._run(script, keys=_keys(household), args=[flag, *args])
            if not isinstance(raw, bytes):
                return raw
            reply = raw.decode()
            if reply == "miss" and previous is not None:
                self._move(previous.household, household, previous.zone_fields, previous.carry)
                flag = "0"
            elif previous is not None and reply == f"moving:{previous.household}":
                # on its way back to the previous id (two rotations at once): finish that first
                self._move(household, previous.household, previous.zone_fields[::-1],
                           previous.carry_back)
            else:
                raise StorageError(f"the household cannot be used now ({reply.split(':')[0]})")
        raise StorageError("the household cannot be used now (it keeps moving)")

    def _move(self, source: str, target: str, zones: tuple[str, str],
              carry: Callable[[bytes | None], bytes]) -> bool:
        """Move a household from id `source` to id `target`, keeping its TTL, the asking
        device's zone (`zones`) and the id its orders are keyed by (`carry`, see Previous)."""
        taken = self._run(self._take, keys=_keys(source), args=[target])
        if not taken:
            return False
        pairs = list(zip(taken[1::2], taken[2::2]))
        origin = carry(dict(pairs).get(b"o"))
        fields = [item for name, value in pairs if name != b"o" for item in (name, value)]
        self._run(self._put, keys=[key_for(target)],
                  args=[source, origin, taken[0], *zones, *fields])
        self._settle(target, source)
        log.info("household moved to the current secret")
        return True

    def _settle(self, household: str, source: str) -> None:
        """The end of a move: delete the key left behind, then the note of where it came from
        (a request that finds the note, after a crash, runs this again)."""
        self._run(self._finish, keys=[key_for(source)], args=[household])
        self._run(self.client.hdel, key_for(household), "~")

    # -- operations ----------------------------------------------------------------------------

    def record_checkin(
        self,
        household: str,
        night: int,
        mode: str = "tonight",
        *,
        tz_field: str = "",
        tz_value: str = "",
        bank_sizes: BankSizes = (0, 0, 0),
        previous: Previous | None = None,
    ) -> CheckinResult:
        call = _checkin_call(household, night, mode, tz_field, tz_value, bank_sizes)
        raw = self._call(self._checkin, household, call["args"], previous)
        (counted, streak, longest, total, first, rest_used, prev, tq, td, eff, rest, recent, aud,
         prev_rest, came_from, origin) = raw
        if came_from:
            self._settle(household, came_from.decode())
        return CheckinResult(
            counted=bool(counted), streak=int(streak), longest=int(longest), total=int(total),
            first_ever=bool(first), rest_used=None if int(rest_used) < 0 else int(rest_used),
            previous_night=None if int(prev) < 0 else int(prev), question_position=int(tq),
            depth=_str(td), night=int(eff), rest_night=None if int(rest) < 0 else int(rest),
            recent=int(recent), audience=_str(aud) or "",
            previous_rest=None if int(prev_rest) < 0 else int(prev_rest), origin=origin or None,
        )

    def record_history(self, checkins, bank_sizes: BankSizes = (0, 0, 0),
                       batch: int = 2000) -> int:
        """Record many past check-ins, `(household, night, mode)` in order, pipelined (tools that
        give households a past: the benchmark, the memory script). Returns how many were sent."""
        pipe = self.client.pipeline(transaction=False)
        sent = 0
        for household, night, mode in checkins:
            call = _checkin_call(household, night, mode, "", "", bank_sizes)
            self._checkin(keys=call["keys"], args=["0", *call["args"]], client=pipe)
            sent += 1
            if len(pipe) >= batch:
                self._run(pipe.execute)
        self._run(pipe.execute)
        return sent

    def status(self, household: str, *, tz_field: str = "tz:-", tonight: int | None = None,
               history_nights: int = 35, counter: str = "",
               previous: Previous | None = None) -> Status:
        """Everything a handler needs to know about a household, in one round trip; with
        `counter`, also that rotation counter's value, incremented for the next request."""
        span = ["", ""] if tonight is None else [tonight - history_nights, tonight]
        raw = self._call(self._status, household,
                         [tz_field, *span, counter, RETENTION_DAYS * 86400], previous)
        (last, streak, longest, total, rest, tn, tq, td, first, tz, rt, rtime, c_l, c_m, c_d,
         ask, aud, hist, count, history_from, came_from, origin) = raw
        if came_from:
            self._settle(household, came_from.decode())
        return Status(
            last=_int(last), streak=_int(streak) or 0, longest=_int(longest) or 0,
            total=_int(total) or 0, rest_night=_int(rest), tonight_night=_int(tn),
            question_position=_int(tq), depth=_str(td), first=_int(first), device_tz=_str(tz),
            reminder_token=_str(rt), reminder_time=_str(rtime),
            history=hist if isinstance(hist, bytes) else (hist or "").encode("latin-1"),
            history_from=int(history_from),
            used={"L": _int(c_l) or 0, "M": _int(c_m) or 0, "D": _int(c_d) or 0},
            ask=_ask(ask), audience=_str(aud) or "",
            counter=None if int(count) < 0 else int(count), origin=origin or None,
        )

    def set_fields(self, household: str, *, only_existing: bool = False,
                   previous: Previous | None = None, **fields: str) -> bool:
        """Small settings of a household (device zone, reminder, audience), by name. They never
        extend its retention (that runs from the last check-in); a new household's key gets the
        full retention. With `only_existing`, nothing is written for a household with no key."""
        args = [RETENTION_DAYS * 86400, "1" if only_existing else "0"]
        for name, value in fields.items():
            args += [name, value]
        return bool(self._call(self._set_fields, household, args, previous))

    def delete_fields(self, household: str, *names: str, previous: Previous | None = None) -> None:
        self._call(self._delete_fields, household, list(names), previous)

    def forget(self, household: str, previous: Previous | None = None) -> int:
        """Delete every key of a household, in every layout and under both secrets (one DEL a
        slot); returns how many existed. On the embedded store, a marker then tells the rewrite
        of its files (skill.erasure) that deleted data is still on disk."""
        keys = [key_for(household), *legacy_keys(household)]
        if previous is not None:
            keys += [key_for(previous.household), *legacy_keys(previous.household)]
        deleted = int(self._run(self.client.delete, *keys))
        try:  # after the DEL, which frees memory even when Redis is full
            if self.mark_erasures:
                self._run(self.client.set, ERASE_PENDING_KEY, "1")
        except StorageError:
            pass  # the household is gone from memory all the same; the files keep it longer
        return deleted

    def household_zone(self, household: str) -> str | None:
        """The zone most recently read for any of the household's devices: the fallback while
        the time-zone API is slow or failing. A read of its own, made only then (its devices'
        zones are the fields named z<device>, scripts.py)."""
        fields = self._run(self.client.hgetall, key_for(household))
        read = [z for k, v in fields.items() if k.startswith(b"z") and (z := cached_zone(_str(v)))]
        return max(read, key=lambda z: z[1])[0] if read else None
