"""The stored streak equals an independent reference model, for random check-in timestamps in
zones with DST changes (and a half-hour DST), including check-ins after midnight and daytime
previews that count nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.dev.envelopes import Device, launch
from skill.storage import Store, connect, household_id

from .conftest import SECRET, SKILL_ID, Alexa

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata",
         "Pacific/Chatham", "America/Sao_Paulo", "UTC", "Pacific/Kiritimati", "America/St_Johns"]
# starts a few nights before a DST change in either hemisphere
STARTS = [date(2026, 3, 5), date(2026, 3, 25), date(2026, 10, 1), date(2026, 10, 22),
          date(2026, 12, 20)]


def reference_night(ts: float, tz: str) -> date:
    """Written independently of skill.nights: before 4 a.m. belongs to the day before."""
    local = datetime.fromtimestamp(ts, ZoneInfo(tz))
    return local.date() - timedelta(days=1) if local.hour < 4 else local.date()


def reference_streak(nights: set[date]) -> tuple[int, int, int]:
    """Walk every calendar night from the first check-in to the last: a missed night is a rest
    when both neighbours are check-ins and no other rest of this run lies within 6 nights;
    any other miss ends the run."""
    if not nights:
        return 0, 0, 0
    streak = longest = 0
    rests: list[date] = []
    day, last = min(nights), max(nights)
    while day <= last:
        if day in nights:
            streak += 1
        elif (day - timedelta(days=1)) in nights and (day + timedelta(days=1)) in nights \
                and all((day - r).days >= 7 for r in rests) and streak > 0:
            rests.append(day)
        else:
            streak, rests = 0, []
        longest = max(longest, streak)
        day += timedelta(days=1)
    return streak, longest, len(nights)


EDGES = [23 * 60 + 59, 24 * 60, 27 * 60 + 59, 28 * 60, 15 * 60, 14 * 60 + 59]  # ... 4 a.m., 3 p.m.
steps = st.lists(
    st.tuples(st.sampled_from([1, 1, 1, 1, 2, 2, 0, 3]),  # nights after the previous check-in
              st.one_of(st.integers(14 * 60, 23 * 60 + 59),  # local minute, afternoon on
                        st.integers(24 * 60, 27 * 60 + 59),  # after midnight, before 4 a.m.
                        st.sampled_from(EDGES))),
    min_size=1, max_size=30,
)


def local_timestamp(day: date, minute: int, tz: str) -> float:
    wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
    return wall.replace(tzinfo=ZoneInfo(tz)).timestamp()


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tz=st.sampled_from(ZONES), start=st.sampled_from(STARTS), plan=steps)
def test_stored_streak_matches_reference(make_app, api, redis_server, clock, tz, start, plan):
    app = make_app()
    user = f"amzn1.ask.account.{uuid.uuid4()}"
    device = Device(skill_id=SKILL_ID, user_id=user, device_id=f"dev-{uuid.uuid4()}",
                    api_endpoint=api.url)
    api.state.time_zones[device.device_id] = tz
    alexa = Alexa(app.test_client(), clock, device=device)
    day = start
    stamps = []
    for gap, minute in plan:
        day += timedelta(days=gap)
        ts = local_timestamp(day, minute, tz)
        if stamps and ts <= stamps[-1]:
            continue
        stamps.append(ts)
        clock.now = ts
        alexa.send(launch())
    # a question asked between 4 a.m. and 3 p.m. is a daytime preview and counts nothing
    nights = {reference_night(ts, tz) for ts in stamps
              if not 4 <= datetime.fromtimestamp(ts, ZoneInfo(tz)).hour < 15}
    status = Store(connect(redis_server.url, 0.3)).status(household_id(SECRET.encode(), user))
    assert (status.streak, status.longest, status.total) == reference_streak(nights)
