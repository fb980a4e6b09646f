"""What one request knows about its household: who, which device, which night, and the store.

The web layer builds one ``Turn`` per request and hands it to the skill as ``HandlerInput.context``;
handlers reach storage only through it.

A household has two ids. ``storage_id`` names its key: an HMAC of the Alexa user id under
CHECKIN_USER_ID_SECRET, so it changes when the secret is rotated. ``household`` keys its own
orders (questions, tips, wording) and stays the same: after a rotation it is the id the
household had first, which storage keeps for it and hands back on the first read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from . import rules, timestamps
from .errors import StorageError
from .nights import (
    GOOD_NIGHT_FROM_HOUR,
    NIGHT_ENDS_HOUR,
    ZoneCache,
    decode_cached_zone,
    encode_cached_zone,
    night_of,
    zone,
)
from .ids import Previous, device_id_hash, household_id, origin_of, previous_of
from .logline import clip
from .storage import CheckinResult, Status, Store

log = logging.getLogger("checkin")
ZONE_RETRY_SECONDS = 300  # after a failed time-zone lookup, use the fallback this long


@dataclass
class Services:
    """Long-lived collaborators, built once by create_app."""

    store_provider: Callable[[], Store]
    secret: bytes
    content: object  # speech.Content
    default_timezone: str
    zones: ZoneCache = field(default_factory=ZoneCache)
    previous_secret: bytes | None = None  # CHECKIN_USER_ID_SECRET_PREVIOUS, during a rotation

    def store(self) -> Store:
        return self.store_provider()


@dataclass
class Turn:
    services: Services
    envelope: dict  # the raw request JSON (ask-sdk drops some fields and misreads "Z" times)
    received_at: float
    zone_lookup: Callable[[], str | None] = lambda: None
    outbound_calls: int = 0
    storage_failed: bool = False
    audience: str = ""  # the household's setting, once storage has been read ("" = partners)
    origin: str | None = None  # the id its orders are keyed by, if storage says it moved
    # what the request's metrics count (skill/endpoint.py): storage errors met, nights counted,
    # and whether the skill's exception handler had to apologise
    storage_errors: list[Exception] = field(default_factory=list)
    checkins_counted: int = 0
    failed: bool = False
    _zone: tuple[str, str] | None = None  # (name, value to cache in Redis or "")
    _found: bool = False  # storage answered once: the household is where it will stay

    # -- identity ----------------------------------------------------------------------------

    def _system(self) -> dict:
        context = self.envelope.get("context") or {}
        system = context.get("System") if isinstance(context, dict) else None
        return system if isinstance(system, dict) else {}

    @property
    def user_id(self) -> str | None:
        user = self._system().get("user")
        if isinstance(user, dict) and isinstance(user.get("userId"), str) and user["userId"]:
            return user["userId"]
        session = self.envelope.get("session") or {}
        user = session.get("user") if isinstance(session, dict) else None
        if isinstance(user, dict) and isinstance(user.get("userId"), str) and user["userId"]:
            return user["userId"]
        return None

    @cached_property
    def storage_id(self) -> str | None:
        uid = self.user_id
        return household_id(self.services.secret, uid) if uid else None

    @property
    def household(self) -> str | None:
        """Who the household is, for its own orders: stable across rotations of the secret."""
        return self.origin or self.storage_id

    def _device_id(self) -> str | None:
        device = self._system().get("device")
        raw = device.get("deviceId") if isinstance(device, dict) else None
        return raw if isinstance(raw, str) and raw else None

    @cached_property
    def device(self) -> str:
        raw = self._device_id()
        return device_id_hash(self.services.secret, raw) if raw else "-"

    @cached_property
    def previous(self) -> Previous | None:
        """The household under the previous secret, while one is set: where it may still be."""
        secret, uid = self.services.previous_secret, self.user_id
        if not secret or not uid:
            return None
        return previous_of(uid, self.services.secret, secret, self._device_id())

    def _elsewhere(self) -> Previous | None:
        """Where else to look for the household, once a request (a rotation may have left it
        under the previous secret)."""
        return None if self._found else self.previous

    def _learn(self, audience: str, origin: bytes | None) -> None:
        self._found, self.audience = True, audience
        self.origin = origin_of(self.services.secret, self.storage_id, origin)

    @cached_property
    def request_time(self) -> float:
        """The request's own timestamp (what the night is counted from), else arrival."""
        raw = (self.envelope.get("request") or {}).get("timestamp")
        if isinstance(raw, str):
            try:
                parsed = timestamps.parse(raw)
                if 2000 <= parsed.year <= 2200:  # verification bounds it in production
                    return parsed.timestamp()
            except ValueError:
                pass
        return self.received_at

    # -- the night ---------------------------------------------------------------------------

    def zone_name(self, cached_in_store: str | None = None) -> str:
        """The device's zone: process cache, then the store's copy, then Alexa; when Alexa is
        slow, failing or its breaker is open, the household's last known zone (another of its
        devices') or the default, at once, and Alexa is asked again later."""
        if self._zone is not None:
            return self._zone[0]
        zones = self.services.zones
        name = zones.get(self.device)
        to_store = ""
        if name is None:
            name = decode_cached_zone(cached_in_store, self.received_at)
            if name is not None:
                zones.put(self.device, name)
        if name is None:
            asked = None
            if self.device != "-":
                self.outbound_calls += 1
                try:
                    asked = self.zone_lookup()
                except Exception as e:  # any failure: a zone we know, and try again later
                    log.warning("time zone lookup failed: %s", clip(e, 120))
            if asked and zone(asked):
                name = asked
                zones.put(self.device, name)
                to_store = encode_cached_zone(name, self.received_at)
            else:
                known = self._household_zone()
                name = known if zone(known) else self.services.default_timezone
                zones.put(self.device, name, ttl=ZONE_RETRY_SECONDS)
        self._zone = (name, to_store)
        return name

    def _household_zone(self) -> str:
        """The zone most recently read for another of the household's devices, or ""."""
        if self.storage_id is None:
            return ""
        try:
            return self.services.store().household_zone(self.storage_id) or ""
        except StorageError:
            return ""

    def night(self) -> int:
        return night_of(self.request_time, zone(self.zone_name()) or zone("UTC"))

    def approx_night(self) -> int:
        """The night for choosing words: the device's zone if already known, else the default;
        never a call to Alexa (only storage-bound operations need the exact night)."""
        name = self._zone[0] if self._zone else self.services.zones.get(self.device)
        return night_of(self.request_time, zone(name or self.services.default_timezone)
                        or zone("UTC"))

    def zone_known(self) -> bool:
        return self._zone is not None or self.services.zones.get(self.device) is not None

    def local_time(self) -> datetime:
        """The request's moment on the device's clock (the default zone until the device's own
        is known; never a call to Alexa)."""
        name = self._zone[0] if self._zone else self.services.zones.get(self.device)
        return datetime.fromtimestamp(self.request_time,
                                      zone(name or self.services.default_timezone) or zone("UTC"))

    def is_daytime(self) -> bool:
        """Between the end of a night (4 a.m.) and the start of the next (3 p.m.): a question now
        is a preview that counts nothing."""
        return NIGHT_ENDS_HOUR <= self.local_time().hour < rules.PREVIEW_BEFORE_HOUR

    def is_evening(self) -> bool:
        """Late enough to say good night."""
        hour = self.local_time().hour
        return hour >= GOOD_NIGHT_FROM_HOUR or hour < NIGHT_ENDS_HOUR

    # -- operations --------------------------------------------------------------------------

    def status(self, counter: str = "") -> Status | None:
        """The household's state, or None when there is none to read (no user, store down);
        `counter` names a rotation counter to read and advance in the same round trip."""
        hh = self.storage_id
        if hh is None:
            return None
        approx = night_of(self.request_time, zone(self.services.default_timezone)) + 1
        try:
            status = self.services.store().status(
                hh, tz_field=f"tz:{self.device}", tonight=approx, history_nights=40,
                counter=counter, previous=self._elsewhere())
        except StorageError as e:
            self._storage_failure(e)
            return None
        self._learn(status.audience, status.origin)
        if not self.zone_known():
            self.zone_name(status.device_tz)
            if self._zone[1]:  # freshly read from Alexa: share it with the other workers
                self.set_fields(only_existing=True, **{f"tz:{self.device}": self._zone[1]})
        return status

    def checkin(self, mode: str = "tonight",
                bank_sizes: tuple[int, ...] = (0, 0, 0)) -> CheckinResult | None:
        """Record tonight (idempotent) and fix its question; None when it could not be saved."""
        hh = self.storage_id
        if hh is None:
            return None
        try:
            store = self.services.store()
            if not self.zone_known():
                # second level of the zone cache: one read, only after a process-cache miss
                cached = store.status(hh, tz_field=f"tz:{self.device}",
                                      previous=self._elsewhere())
                self._learn(cached.audience, cached.origin)
                self.zone_name(cached.device_tz)
            self.zone_name()
            to_store = self._zone[1]
            result = store.record_checkin(
                hh, self.night(), mode,
                tz_field=f"tz:{self.device}" if to_store else "", tz_value=to_store,
                bank_sizes=bank_sizes, previous=self._elsewhere(),
            )
            self._learn(result.audience, result.origin)
            self.checkins_counted += result.counted
            return result
        except StorageError as e:
            self._storage_failure(e)
            return None

    def forget(self) -> bool:
        hh = self.storage_id
        if hh is None:
            return False
        try:
            self.services.store().forget(hh, self.previous)
            return True
        except StorageError as e:
            self._storage_failure(e)
            return False

    def set_fields(self, *, only_existing: bool = False, **fields: str) -> bool:
        """Write small settings; False when nothing could be saved."""
        hh = self.storage_id
        if hh is None:
            return False
        try:
            self.services.store().set_fields(hh, only_existing=only_existing,
                                             previous=self._elsewhere(), **fields)
            self._found = True
            return True
        except StorageError as e:
            self._storage_failure(e)
            return False

    def delete_fields(self, *names: str) -> bool:
        hh = self.storage_id
        if hh is None:
            return False
        try:
            self.services.store().delete_fields(hh, *names, previous=self._elsewhere())
            self._found = True
            return True
        except StorageError as e:
            self._storage_failure(e)
            return False

    def _storage_failure(self, error: Exception) -> None:
        self.storage_failed = True
        self.storage_errors.append(error)
        log.warning("storage unavailable: %s", error)
