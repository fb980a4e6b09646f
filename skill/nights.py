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


def encode_cached_zone(name: str, fetched_at: float) -> str:
    return f"{name}|{int(fetched_at)}"


def decode_cached_zone(value: str | None, now: float) -> str | None:
    """A zone cached in Redis, if it is still fresh."""
    if not value or "|" not in value:
        return None
    name, _, fetched = value.rpartition("|")
    try:
        if now - int(fetched) > TZ_CACHE_SECONDS:
            return None
    except ValueError:
        return None
    return name if zone(name) else None
