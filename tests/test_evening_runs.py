"""`checkin bench` and `checkin faults` measure evening check-ins whenever they are run: a launch
before 3 p.m. local only previews tonight's question and saves nothing, so a run in the morning
would measure another workload (bench) or count every launch as a check-in lost (faults)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from skill.dev.bench.traffic import EVENING_HOURS, evening_zone, make_households

START = 1796265000  # 2026-12-03 02:30 UTC; every half hour of two days, both sides of a date


def test_an_evening_zone_is_at_its_hour_at_any_time():
    for step in range(96):
        now = START + step * 1800
        for hour in (19, 21, 22):
            local = datetime.fromtimestamp(now, ZoneInfo(evening_zone(now, hour)))
            assert local.hour == hour, (now, hour, local)


def test_every_bench_device_is_in_its_evening():
    for step in range(0, 96, 7):
        now = START + step * 1800
        hours = {datetime.fromtimestamp(now, ZoneInfo(tz)).hour
                 for hh in make_households(300, now=now) for _, tz, _ in hh.devices}
        assert hours == set(EVENING_HOURS), (now, hours)
