"""Nights, streaks and question rotation in Redis, on a single server and on a cluster."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from skill.storage import RETENTION_DAYS, Store, connect, key_for


N = datetime(2026, 12, 1).toordinal()


@pytest.fixture
def store(backend) -> Store:
    url, _ = backend
    return Store(connect(url, 0.3))


# -- the operations, on both backends -------------------------------------------------------

def test_first_checkin_then_idempotent_same_night(store):
    first = store.record_checkin("hh1", N)
    assert (first.counted, first.streak, first.total, first.first_ever) == (True, 1, 1, True)
    again = store.record_checkin("hh1", N)
    assert (again.counted, again.streak, again.total, again.first_ever) == (False, 1, 1, False)
    assert again.question_position == first.question_position
    assert again.depth == first.depth == "L"


def test_consecutive_rest_and_reset(store):
    for night in (N, N + 1, N + 2):
        r = store.record_checkin("hh", night)
    assert r.streak == 3
    r = store.record_checkin("hh", N + 4)  # missed N+3: a rest night
    assert (r.streak, r.rest_used) == (4, N + 3)
    r = store.record_checkin("hh", N + 6)  # missed N+5: second rest within 7 nights
    assert (r.streak, r.rest_used) == (1, None)
    assert r.longest == 4 and r.total == 5
    r = store.record_checkin("hh", N + 9)  # two missed nights
    assert r.streak == 1


def test_rest_night_allowed_again_after_seven_nights(store):
    nights = [N, N + 1, N + 3] + list(range(N + 4, N + 10)) + [N + 11]
    for night in nights:
        r = store.record_checkin("hh", night)
    # rests at N+2 and N+10: 8 nights apart, so both are forgiven
    assert r.streak == len(nights) and r.rest_used == N + 10


@pytest.mark.parametrize("apart,kept", [(6, False), (7, True)])
def test_second_rest_night_needs_seven_nights(store, apart, kept):
    # rest nights at N + 1 and N + 1 + apart
    nights = [N] + list(range(N + 2, N + apart + 1)) + [N + apart + 2]
    for night in nights:
        r = store.record_checkin("hh", night)
    assert (r.streak == len(nights)) is kept


def test_depth_follows_recent_nights_and_overrides(store):
    depths = [store.record_checkin("hh", N + i).depth for i in range(30)]
    assert depths[:5] == ["L"] * 5, "the first week is light"
    assert set(depths[5:11]) == {"L", "M"} and depths[5:11].count("M") > depths[5:11].count("L")
    assert set(depths[11:]) == {"L", "M", "D"}
    deeper = store.record_checkin("hh", N + 29, "D")
    assert deeper.depth == "D" and not deeper.counted
    assert store.record_checkin("hh", N + 29).depth == "D", "the override holds for the night"


def test_twenty_nights_in_thirty_reach_deep_questions_without_a_long_streak(store):
    """Two nights on, one off, and every weekend missed: never more than five in a row."""
    nights = [N + i for i in range(45) if i % 7 not in (5, 6) and i % 3 != 2]
    results = [store.record_checkin("gaps", n) for n in nights]
    assert max(r.streak for r in results) < 22
    late = [r for r in results if r.night >= N + 30]
    assert all(r.recent >= 12 for r in late)
    assert "D" in {r.depth for r in late}, "deep questions arrive"
    after_weekend = [r for r in late if (r.night - N) % 7 == 0]
    assert after_weekend and all(r.recent > 5 for r in after_weekend), \
        "a missed weekend does not send them back to ice-breakers"


def test_lighter_keeps_deep_nights_away_for_a_week_and_deeper_the_light_ones(store):
    for i in range(20):
        store.record_checkin("steer", N + i)
    store.record_checkin("steer", N + 20, "L")
    steered = [store.record_checkin("steer", N + 20 + i).depth for i in range(1, 7)]
    after = [store.record_checkin("steer", N + 26 + i).depth for i in range(1, 4)]
    assert "D" not in steered and "D" in after, "deep nights come back after a week"
    store.record_checkin("steer", N + 30, "D")
    assert "L" not in [store.record_checkin("steer", N + 30 + i).depth for i in range(1, 7)]


def test_another_question_moves_the_cursor(store):
    a = store.record_checkin("hh", N)
    b = store.record_checkin("hh", N, "another")
    c = store.record_checkin("hh", N)
    assert b.question_position == a.question_position + 1
    assert c.question_position == b.question_position
    assert b.total == 1


def test_history_and_status(store):
    for night in (N, N + 1, N + 3):
        store.record_checkin("hh", night)
    s = store.status("hh", tonight=N + 3)
    assert (s.streak, s.longest, s.total, s.last, s.rest_night) == (3, 3, 3, N + 3, N + 2)
    assert [s.checked_in(n) for n in range(N - 1, N + 5)] == [False, True, True, False, True,
                                                             False]
    assert s.nights_in(N - 30, N + 3) == 3


def test_retention_ttl(store, backend):
    _, client = backend
    store.record_checkin("hh", N)
    assert [k.decode() for k in client.scan_iter("*")] == [key_for("hh")], "one key a household"
    ttl = client.ttl(key_for("hh"))
    assert RETENTION_DAYS * 86400 - 60 < ttl <= RETENTION_DAYS * 86400


def test_forget_deletes_every_key(store, backend):
    _, client = backend
    store.record_checkin("hh", N)
    store.set_fields("hh", rt="token")
    store.record_checkin("other", N)
    assert store.forget("hh") == 1
    keys = [k.decode() for k in client.scan_iter("*")]
    assert keys == [key_for("other")]


def test_thirty_concurrent_checkins_add_one_night(store):
    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(lambda _: store.record_checkin("busy", N), range(30)))
    assert sum(r.counted for r in results) == 1
    assert {r.question_position for r in results} == {results[0].question_position}
    assert store.status("busy").total == 1


def test_a_household_key_shares_the_slot_of_its_keys_before():
    from redis.cluster import key_slot

    from skill.storage import legacy_keys

    keys = [key_for("abc"), *legacy_keys("abc")]
    assert len({key_slot(k.encode()) for k in keys}) == 1
