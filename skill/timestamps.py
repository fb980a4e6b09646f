"""Alexa's timestamps: ISO 8601 in UTC with a "Z" (``2026-12-01T21:30:00Z``)."""

from __future__ import annotations

from datetime import datetime, timezone


def parse(value: str, *, naive_is_utc: bool = True) -> datetime:
    """An ISO 8601 time with "Z", an offset or neither; ValueError if it is not one. A time with
    neither is UTC, or stays naive with `naive_is_utc` False (as ask-sdk's own parser keeps it)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None and naive_is_utc:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed


def iso(ts: float) -> str:
    """A POSIX time as Alexa writes it."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
