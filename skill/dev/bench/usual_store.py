"""The usual skill's persistence: ask-sdk's persistence adapter contract on Redis, one JSON value
per household, and the past the benchmark gives those households.

``RedisAdapter`` follows ask-sdk's own adapters (``ask_sdk_dynamodb.adapter.DynamoDbAdapter`` and
``ask_sdk_s3.adapter.S3Adapter`` in alexa/alexa-skills-kit-sdk-for-python): the key comes from a
key generator given the request envelope (the user id by default, as their
``user_id_partition_keygen`` / ``user_id_keygen``) under a path prefix; ``get_attributes`` reads
the whole item (``get_item`` / ``get_object``: here one ``GET``) and answers ``{}`` for a new
user; ``save_attributes`` writes the whole item (``put_item`` / ``put_object``: here one ``SET``)
as ``json.dumps`` of the attributes, as the S3 adapter does; every store error becomes a
``PersistenceException``. ask-sdk's ``AttributesManager`` calls ``get_attributes`` the first time
a handler reads ``persistent_attributes`` and ``save_attributes`` when a handler calls
``save_persistent_attributes()``: a check-in is two round trips, a status read one.
"""

from __future__ import annotations

import json
from datetime import date

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

from skill.nights import night_of, zone
from skill.storage import household_id

from .traffic import Household, seed_history

KEY_PREFIX = "usual:"  # the usual skill's keys: nothing of the skill's or the floor's
RECENT_DAYS = 30  # the nights the usual skill keeps, for "nights in the last thirty"


def user_id_keygen(request_envelope) -> str:
    """The user id, as ask-sdk's default key generators take it."""
    try:
        return request_envelope.context.system.user.user_id
    except AttributeError:
        raise PersistenceException("Couldn't retrieve user id from request envelope, "
                                   "for partition key use") from None


class RedisAdapter(AbstractPersistenceAdapter):
    """ask-sdk's persistence adapter contract on Redis: one JSON value per user id."""

    def __init__(self, client, path_prefix: str = KEY_PREFIX, keygen=user_id_keygen):
        self.client, self.path_prefix, self.keygen = client, path_prefix, keygen

    def _key(self, request_envelope) -> str:
        return self.path_prefix + self.keygen(request_envelope)

    def get_attributes(self, request_envelope) -> dict:
        key = self._key(request_envelope)
        try:
            value = self.client.get(key)
        except Exception as e:
            raise PersistenceException(f"Failed to retrieve attributes from Redis. Exception of "
                                       f"type {type(e).__name__} occurred: {e}") from e
        if not value:
            return {}
        try:
            return json.loads(value)
        except ValueError as e:
            raise PersistenceException(f"Failed to decode attributes of {key}: {e}") from e

    def save_attributes(self, request_envelope, attributes: dict) -> None:
        key = self._key(request_envelope)
        try:
            self.client.set(key, json.dumps(attributes))
        except Exception as e:
            raise PersistenceException(f"Failed to save attributes to Redis. Exception of type "
                                       f"{type(e).__name__} occurred: {e}") from e

    def delete_attributes(self, request_envelope) -> None:
        try:
            self.client.delete(self._key(request_envelope))
        except Exception as e:
            raise PersistenceException(f"Failed to delete attributes from Redis. Exception of "
                                       f"type {type(e).__name__} occurred: {e}") from e


def attributes_from_nights(nights: list[int], today: int) -> dict:
    """A household's attributes after checking in on ``nights`` (ordinals, ascending), as the
    usual skill's own handlers would have left them."""
    streak = longest = 0
    previous = None
    for night in nights:
        streak = streak + 1 if previous is not None and night - previous == 1 else 1
        longest = max(longest, streak)
        previous = night
    total = len(nights)
    return {
        "streak": streak, "longest": longest, "total": total,
        "last_night": date.fromordinal(nights[-1]).isoformat() if nights else None,
        "recent": [date.fromordinal(n).isoformat() for n in nights if today - n < RECENT_DAYS],
        # how far each depth's question list has been asked (one question a check-in)
        "asked": {"light": min(total, 6), "medium": total // 2, "deep": total // 4}, "zones": {},
    }


class _Collect:
    """Stands in for the skill's Store in ``seed_history``: keeps the check-ins it is given."""

    def __init__(self):
        self.nights: dict[str, list[int]] = {}

    def record_history(self, checkins, *args, **kwargs) -> int:
        sent = 0
        for household, night, _mode in checkins:
            self.nights.setdefault(household, []).append(night)
            sent += 1
        return sent


def seed_usual(client, households: list[Household], now: float, seed: int) -> int:
    """Give the usual skill's households the same past as the skill's (``seed_history`` with the
    same seed), as one JSON value each. Returns the households written."""
    secret = b"usual-seed"  # only to tell the households apart in seed_history's output
    by_id = {household_id(secret, hh.user_id): hh for hh in households}
    collected = _Collect()
    seed_history(collected, secret, households, now, seed)
    pipe = client.pipeline(transaction=False)
    for hid, entries in collected.nights.items():
        hh = by_id[hid]
        nights = sorted(entries)
        attrs = attributes_from_nights(nights, night_of(now, zone(hh.devices[0][1])))
        pipe.set(KEY_PREFIX + hh.user_id, json.dumps(attrs))
        if len(pipe) >= 2000:
            pipe.execute()
    pipe.execute()
    return len(collected.nights)
