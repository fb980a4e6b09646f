"""Which night a moment belongs to, and which time zone a device is in.

A night runs until 4 a.m. local time, so a check-in at 1 a.m. counts for the evening before.
Nights are numbered like ``date.toordinal()``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NIGHT_ENDS_HOUR = 4
GOOD_NIGHT_FROM_HOUR = 18  # "good night" from 6 p.m. until the night ends
TZ_CACHE_SECONDS = 6 * 3600
_NIGHT_SHIFT = timedelta(hours=NIGHT_ENDS_HOUR)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def night_of(timestamp: float, tz: ZoneInfo) -> int:
    local = datetime.fromtimestamp(timestamp, tz)
    return (local - _NIGHT_SHIFT).date().toordinal()


def night_date(night: int) -> date:
    return date.fromordinal(night)


class ZoneCache:
    """A bounded per-process cache of device time zones (the first level; Redis is the second)."""

    def __init__(self, size: int = 4096, ttl: float = TZ_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._data: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._size, self._ttl, self._clock = size, ttl, clock
        self._lock = threading.Lock()

    def get(self, device: str) -> str | None:
        with self._lock:
            hit = self._data.get(device)
            if hit is None:
                return None
            if hit[1] < self._clock():
                del self._data[device]
                return None
            self._data.move_to_end(device)
            return hit[0]

    def put(self, device: str, name: str, ttl: float | None = None) -> None:
        with self._lock:
            self._data[device] = (name, self._clock() + (self._ttl if ttl is None else ttl))
            self._data.move_to_end(device)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


# A cached zone is stored as the hour it was read (four base-36 digits) and its name, with the
# region of the name as one digit ("9mpc1New_York"): a few bytes for every household's devices.
ZONE_REGIONS = ("America/", "Europe/", "Asia/", "Australia/", "Pacific/", "Africa/", "Atlantic/",
                "Indian/", "Antarctica/")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_cached_zone(name: str, fetched_at: float) -> str:
    hour, digits = max(int(fetched_at) // 3600, 0), ""
    for _ in range(4):
        hour, digit = divmod(hour, 36)
        digits = _DIGITS[digit] + digits
    for code, region in enumerate(ZONE_REGIONS, 1):
        if name.startswith(region):
            name = f"{code}{name[len(region):]}"
            break
    return digits + name


def cached_zone(value: str | None) -> tuple[str, int] | None:
    """A zone cached in Redis and when it was read (the start of that hour), whatever its age.
    Values cached as "name|seconds" before are read too."""
    if not value:
        return None
    try:
        if "|" in value:
            name, _, fetched = value.rpartition("|")
            fetched_at = int(fetched)
        else:
            name, fetched_at = value[4:], int(value[:4], 36) * 3600
    except ValueError:
        return None
    if name[:1].isdigit() and 1 <= int(name[0]) <= len(ZONE_REGIONS):
        name = ZONE_REGIONS[int(name[0]) - 1] + name[1:]
    return (name, fetched_at) if zone(name) else None


def decode_cached_zone(value: str | None, now: float) -> str | None:
    """A zone cached in Redis, if it is still fresh (the hour it was read counts from its
    start, so a cached zone lasts up to an hour less than TZ_CACHE_SECONDS)."""
    read = cached_zone(value)
    return read[0] if read and now - read[1] <= TZ_CACHE_SECONDS else None
