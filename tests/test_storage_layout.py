"""A household's stored layout: one small hash, compactly encoded; long histories; and households
stored in the layout before (two keys, a bitmap from 2020) answering as before and moved on
first touch. On a single server and on a cluster."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import pytest

from skill.nights import encode_cached_zone
from skill.scripts import NIGHT_EPOCH
from skill.storage import RETENTION_DAYS, Store, connect, key_for, legacy_keys

N = datetime(2026, 12, 1).toordinal()
HH = "4f9a0c2e5b7d41c8a3e6f1029b8d7c65"  # shaped like a real household id


@pytest.fixture
def store(backend) -> Store:
    url, _ = backend
    return Store(connect(url, 0.3))


def a_year(store: Store, household: str, start: int = N) -> set[int]:
    """A year of nights with the gaps of real life: a missed night every week or so, and a
    missed weekend now and then."""
    nights = {start + i for i in range(365) if i % 9 != 4 and i % 31 not in (20, 21)}
    nights.add(start + 364)
    for night in sorted(nights):
        store.record_checkin(household, night, bank_sizes=(150, 150, 150))
        if night % 13 == 0:
            store.record_checkin(household, night, "another", bank_sizes=(150, 150, 150))
    return nights


def test_a_year_with_a_zone_and_a_reminder_is_one_small_hash(store, backend):
    _, client = backend
    a_year(store, HH)
    store.set_fields(HH, **{"tz:0123456789abcdef": encode_cached_zone("America/New_York",
                                                                       1_764_547_200)})
    store.set_fields(HH, rt=str(uuid.uuid4()), rtime="21:30")
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(HH)]
    assert client.object("encoding", key_for(HH)) in (b"ziplist", b"listpack")
    fields = client.hgetall(key_for(HH))
    assert sorted(fields) == [b"b", b"m", b"r", b"s", b"z01234"]
    assert len(fields[b"b"]) == 46, "a year of nights is 46 bytes: none before its first"
    assert len(fields[b"r"]) == 16 and fields[b"m"] == b"1290"
    assert client.memory_usage(key_for(HH), samples=0) <= 240


def test_the_state_reads_back_as_recorded(store):
    nights = a_year(store, HH)
    status = store.status(HH)
    last = max(nights)
    assert (status.first, status.last, status.tonight_night) == (N, last, last)
    assert status.total == len(nights) and status.history_from == N
    assert {n for n in range(N - 10, last + 10) if status.checked_in(n)} == nights
    assert sum(status.used.values()) == len(nights) + sum(1 for n in nights if n % 13 == 0)


def test_history_beyond_one_field_of_nights(store, backend):
    """700 nights run across two fields of 512; windows that straddle them read whole."""
    _, client = backend
    nights = [N + i for i in range(700) if i % 5 != 2]
    results = [store.record_checkin(HH, n) for n in nights]
    assert sorted(client.hkeys(key_for(HH))) == [b"b", b"b1", b"s"]
    status = store.status(HH)
    assert {n for n in range(N, N + 700) if status.checked_in(n)} == set(nights)
    edge = N + 512  # the first night of the second field
    window = store.status(HH, tonight=edge + 3, history_nights=40)
    assert window.nights_in(edge - 37, edge + 3) == sum(1 for n in nights if edge - 37 <= n <= edge + 3)
    by_night = dict(zip(nights, results))
    expected = [sum(1 for m in nights if n - 30 < m <= n) for n in nights]
    assert [by_night[n].recent for n in nights] == expected


@pytest.mark.parametrize("token,stored_as", [
    ("d877f6b7-fe34-40fe-9029-a67a3f75140f", b"r"),  # an Alexa alertToken: 16 bytes
    ("D877F6B7-FE34-40FE-9029-A67A3F75140F", b"R"),  # not in lower case: kept as text
    ("amzn1.alert.reminder-token-7", b"R")])
def test_reminder_tokens_read_back_exactly(store, backend, token, stored_as):
    _, client = backend
    store.set_fields(HH, rt="old-token")
    store.set_fields(HH, rt=token, rtime="07:05", aud="family", plan="b")
    assert sorted(client.hkeys(key_for(HH))) == sorted([stored_as, b"m", b"a", b".plan"])
    status = store.status(HH)
    assert (status.reminder_token, status.reminder_time, status.audience) == \
        (token, "07:05", "family")
    store.delete_fields(HH, "rt", "rtime")
    assert sorted(client.hkeys(key_for(HH))) == [b".plan", b"a"]


def counter_field(name: str) -> str:
    """What the store names a rotation counter: the first five hex digits of its name's SHA-1,
    in base 36 (written here again to check the Lua against, and to look for collisions)."""
    number, digits = int(hashlib.sha1(name.encode()).hexdigest()[:5], 16), ""
    while number:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
    return "n" + (digits or "0")


def test_rotation_counters_are_short_and_never_share_a_field(store, backend, content):
    _, client = backend
    assert store.status(HH, counter="n:tip:LISTENING").counter == 0
    assert store.status(HH, counter="n:tip:LISTENING").counter == 1
    assert client.hkeys(key_for(HH)) == [counter_field("n:tip:LISTENING").encode()]
    c = content.for_locale("en-US")
    names = (["n:done", "n:validation", f"n:tip:{'any'}"] + [f"n:validation:{f}" for f in c.feelings]
             + [f"n:tip:{topic}" for topic in c.tips])
    assert len({counter_field(n) for n in names}) == len(names)


# -- the layout before: two keys, the nights from 2020 -------------------------------------------

def seed_legacy(client, household: str, nights: list[int], ttl: int = 5000, **fields) -> None:
    """A household as the layout before wrote it (written here directly, as it was)."""
    hash_key, bits_key = legacy_keys(household)
    for night in nights:
        client.setbit(bits_key, night - NIGHT_EPOCH, 1)
    client.hset(hash_key, mapping=fields)
    client.expire(hash_key, ttl)
    client.expire(bits_key, ttl)


OLD = dict(last=N + 9, streak=4, longest=6, total=9, rest=N + 6, first=N, tn=N + 9, tq=2, td="M",
           cL=4, cM=3, cD=2, ask=f"D:{N + 8}", aud="friends", rt="d877f6b7-fe34-40fe-9029-a67a3f75140f",
           rtime="21:00", **{"n:done": 6, "tz:0123456789abcdef": "Europe/London|1764547200"})
OLD_NIGHTS = [N, N + 1, N + 2, N + 4, N + 5, N + 7, N + 8, N + 9]


def test_a_household_in_the_layout_before_answers_as_before_and_moves(store, backend):
    _, client = backend
    seed_legacy(client, HH, OLD_NIGHTS, **OLD)
    status = store.status(HH, tz_field="tz:0123456789abcdef", tonight=N + 10, counter="n:done")
    assert (status.last, status.streak, status.longest, status.total, status.rest_night) == \
        (N + 9, 4, 6, 9, N + 6)
    assert (status.tonight_night, status.question_position, status.depth) == (N + 9, 2, "M")
    assert (status.first, status.ask, status.audience, status.counter) == \
        (N, ("D", N + 8), "friends", 6)
    assert status.used == {"L": 4, "M": 3, "D": 2}
    assert status.device_tz == "Europe/London|1764547200"
    assert (status.reminder_token, status.reminder_time) == (OLD["rt"], "21:00")
    assert {n for n in range(N - 20, N + 20) if status.checked_in(n)} == set(OLD_NIGHTS)
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(HH)], "moved, nothing left"
    assert 4000 < client.ttl(key_for(HH)) <= 5000, "the retention it had"
    assert status.origin is None, "the same id: its orders stay keyed by it"
    again = store.record_checkin(HH, N + 10)
    assert (again.streak, again.total, again.previous_night, again.recent) == (5, 10, N + 9, 9)
    assert store.status(HH, counter="n:done").counter == 7


def test_a_check_in_is_what_moves_a_household_in_the_layout_before(store, backend):
    _, client = backend
    seed_legacy(client, HH, OLD_NIGHTS, **OLD)
    first = store.record_checkin(HH, N + 10)
    assert (first.streak, first.longest, first.total, first.rest_night) == (5, 6, 10, N + 6)
    assert first.audience == "friends" and not first.first_ever
    assert client.ttl(key_for(HH)) > RETENTION_DAYS * 86400 - 60
    assert not any(client.exists(k) for k in legacy_keys(HH))


def test_the_layout_before_without_a_first_night_or_a_question(store, backend):
    _, client = backend
    seed_legacy(client, HH, [N + 3, N + 4], last=N + 4, streak=2, longest=2, total=2,
                **{"n:validation": 3})
    status = store.status(HH)
    assert (status.first, status.last, status.depth, status.tonight_night) == (N + 3, N + 4,
                                                                              None, None)
    assert store.status(HH, counter="n:validation").counter == 3
    seed_legacy(client, "settings-only", [], rt="token-1", rtime="20:15")
    status = store.status("settings-only")
    assert (status.last, status.reminder_token, status.reminder_time) == (None, "token-1", "20:15")


def test_a_cached_zone_is_a_few_bytes_and_old_ones_still_read():
    from skill.nights import TZ_CACHE_SECONDS, decode_cached_zone

    now = 1_764_547_200.0
    value = encode_cached_zone("America/Argentina/Buenos_Aires", now)
    assert value.endswith("1Argentina/Buenos_Aires") and len(value) == 27
    assert decode_cached_zone(value, now + 60) == "America/Argentina/Buenos_Aires"
    assert decode_cached_zone(encode_cached_zone("UTC", now), now) == "UTC"
    assert decode_cached_zone(value, now + TZ_CACHE_SECONDS + 1) is None, "stale"
    assert decode_cached_zone(f"Europe/London|{int(now)}", now + 60) == "Europe/London"
    assert decode_cached_zone("9mpc9Not_A_Zone", now) is None


def test_the_memory_tool_measures_households_it_recorded_and_copied():
    from skill.dev.memory import measure

    lines = measure(households=300, recorded=20, seed_value=1)
    assert "300 households" in lines[0] and "20 (" in lines[1]
    assert "ziplist" in lines[2] and "s (24 B)" in lines[2] and "b (46 B)" in lines[2]
    assert lines[-1].endswith(("PASS", "FAIL"))
