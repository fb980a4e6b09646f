""""Can we skip tonight": always an easy "of course", saying whether tonight would be the rest
night (from skill.rules), and recording nothing; what it says is what the next check-in does."""

from __future__ import annotations

import pytest


def nights_of(redis) -> dict:
    return {k: redis.dump(k) for k in redis.scan_iter("ck*")}


def history(sim, *days: int) -> None:
    """Check in on these days of December 2026 at 21:30."""
    for day in days:
        sim.set_time(f"2026-12-{day:02d}T21:30")
        sim.say("start our check in")


@pytest.mark.parametrize("said", ["can we skip tonight", "tell our check in we're too tired tonight"])
def test_skip_tonight_before_any_streak(simulator, redis, said):
    turn = simulator().say(said)
    assert turn.speech.startswith("Of course.") and "no streak to worry about" in turn.speech
    assert not turn.listening
    assert list(redis.scan_iter("ck*")) == [], "nothing recorded"


def test_after_last_night_tonight_can_be_the_rest_night(simulator, redis):
    sim = simulator()
    history(sim, 1, 2, 3)
    sim.set_time("2026-12-04T21:30")
    before = nights_of(redis)
    turn = sim.say("can we skip tonight")
    assert "Tonight can be your rest night" in turn.speech
    assert nights_of(redis) == before, "nothing recorded"
    sim.set_time("2026-12-05T21:30")
    assert "your rest night kept your streak going" in sim.say("start our check in").speech


def test_the_rest_night_already_used_this_week(simulator):
    sim = simulator()
    history(sim, 1, 2, 4, 5)  # December 3rd was the rest night
    sim.set_time("2026-12-06T21:30")
    turn = sim.say("tell our check in we're exhausted")
    assert "rest night is already used" in turn.speech and "fresh streak" in turn.speech
    sim.set_time("2026-12-07T21:30")
    assert "fresh" in sim.say("start our check in").speech.lower()


def test_after_a_missed_night_skipping_starts_afresh(simulator):
    sim = simulator()
    history(sim, 1, 2)
    sim.set_time("2026-12-04T21:30")  # the 3rd was missed: tonight would use the rest night
    turn = sim.say("can we skip tonight")
    assert "next check-in starts a fresh streak" in turn.speech


def test_already_checked_in_tonight(simulator, redis):
    sim = simulator()
    history(sim, 1)
    before = nights_of(redis)
    turn = sim.say("can we skip tonight")
    assert "already checked in tonight" in turn.speech
    assert nights_of(redis) == before


def test_skip_when_storage_is_down(simulator, make_app, redis_server):
    sim = simulator(app=make_app(redis_url="redis://127.0.0.1:1/0"))
    turn = sim.say("can we skip tonight")
    assert turn.speech.startswith("Of course.") and "start our check in" in turn.speech
