"""Fixtures of the reminder tests: a household that granted the reminder permission (`alexa`)
and the same household before it did (`stranger`), at nine on an evening."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ..conftest import Alexa
from .support import talk


@pytest.fixture
def night(clock):
    clock.now = datetime(2026, 12, 1, 21, tzinfo=ZoneInfo("America/New_York")).timestamp()


@pytest.fixture
def alexa(client, clock, ca, api, night) -> Alexa:
    """A household that has granted the reminder permission."""
    return talk(client, clock, ca, api)


@pytest.fixture
def stranger(client, clock, ca, api, night) -> Alexa:
    """The same household before it has granted the permission."""
    return talk(client, clock, ca, api, consent=False)
