"""Households read back in tests through the store, whatever layout the scripts keep them in."""

from __future__ import annotations

from skill.storage import Status, Store


def households(redis) -> dict[str, Status]:
    """Every household stored, by id (its key is ``ck{<id>}``)."""
    store = Store(redis)
    ids = [key.decode()[3:-1] for key in redis.scan_iter("ck{*}")]
    return {household: store.status(household) for household in ids}
