"""Who a household is, to storage: ids made from the Alexa user and device ids with an HMAC, so
no raw id is stored. Rotating CHECKIN_USER_ID_SECRET changes them: ``Previous`` is a household as
it was under the previous secret, and the id its own orders (questions, tips, wording) stay keyed
by after a move is kept masked with the current secret (``origin_of``), so nothing stored links
to an id under a secret that is gone.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

_HEX_ID = re.compile(r"[0-9a-f]{32}")


def household_id(secret: bytes, user_id: str) -> str:
    return hmac.new(secret, b"user:" + user_id.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()[:32]


def device_id_hash(secret: bytes, device_id: str) -> str:
    return hmac.new(secret, b"device:" + device_id.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()[:16]


def _id_bytes(household: str) -> bytes:
    return bytes.fromhex(household) if _HEX_ID.fullmatch(household) else household.encode()


def _pad(secret: bytes, household: str, size: int) -> bytes:
    return hmac.new(secret, b"origin:" + household.encode(), hashlib.sha256).digest()[:size]


def _mask(secret: bytes, household: str, first: str) -> bytes:
    if first == household:
        return b""  # its own id: nothing to keep
    data = _id_bytes(first)
    return bytes(a ^ b for a, b in zip(data, _pad(secret, household, len(data))))


def origin_of(secret: bytes, household: str, stored: bytes | None) -> str | None:
    """The id a household's orders are keyed by, from its stored `o`: its id under the first
    secret it had, masked with the current one (so nothing stored links to an old id)."""
    if not stored:
        return None
    data = bytes(a ^ b for a, b in zip(stored, _pad(secret, household, len(stored))))
    return data.hex() if len(data) == 16 else data.decode(errors="replace")


@dataclass(frozen=True)
class Previous:
    """A household under CHECKIN_USER_ID_SECRET_PREVIOUS: its id there, the asking device's zone
    field there and under the current secret (its cached zone moves with it), and how its `o`
    (the id its orders are keyed by, masked) is masked anew when it moves to the current secret
    (`carry`) or, finishing another worker's move, back to the previous one (`carry_back`)."""

    household: str
    zone_fields: tuple[str, str]
    carry: Callable[[bytes | None], bytes]
    carry_back: Callable[[bytes | None], bytes]


def previous_of(user_id: str, secret: bytes, previous_secret: bytes,
                device_id: str | None = None) -> Previous:
    now, before = household_id(secret, user_id), household_id(previous_secret, user_id)

    def carry(stored: bytes | None) -> bytes:
        return _mask(secret, now, origin_of(previous_secret, before, stored) or before)

    def carry_back(stored: bytes | None) -> bytes:
        return _mask(previous_secret, before, origin_of(secret, now, stored) or now)

    zones = tuple(f"tz:{device_id_hash(key, device_id) if device_id else '-'}"
                  for key in (previous_secret, secret))
    return Previous(before, zones, carry, carry_back)
