"""Rotating CHECKIN_USER_ID_SECRET: a household not under the new secret is found under the
previous one and moved, once, keeping its streak, tonight's question, its settings and its
retention; concurrent requests, and moves cut short, end the same way. On a single server and on
the three-master cluster (the ids, so the keys, change slot)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from skill.dev.envelopes import Device, intent, launch, slot
from skill.errors import StorageError
from skill.ids import device_id_hash, household_id, origin_of, previous_of
from skill.storage import Store, _keys, connect, key_for, legacy_keys

from .conftest import SKILL_ID, Alexa, speech_of
from .test_storage_layout import OLD, OLD_NIGHTS, seed_legacy

OLD_SECRET, NEW_SECRET = b"the-secret-before", b"the-secret-now"
N = datetime(2026, 12, 1).toordinal()


def evening(day: int) -> float:
    return datetime(2026, 12, day, 21, 30, tzinfo=ZoneInfo("Europe/London")).timestamp()


def question(data: dict) -> str:
    return speech_of(data).split('<prosody rate="90%">')[1].split("</prosody>")[0]


@pytest.fixture
def apps(make_app, backend):
    """The service before the rotation, and after it (the new secret, the old one as previous)."""
    url, client = backend
    before = make_app(redis_url=url, user_id_secret=OLD_SECRET.decode())
    after = make_app(redis_url=url, user_id_secret=NEW_SECRET.decode(),
                     user_id_secret_previous=OLD_SECRET.decode())
    return before, after, client


def test_every_household_keeps_its_streak_and_question(apps, api, clock):
    before, after, client = apps
    devices = [Device(skill_id=SKILL_ID, user_id=f"amzn1.ask.account.rotate-{i}",
                      device_id=f"amzn1.ask.device.rotate-{i}", api_endpoint=api.url)
               for i in range(4)]
    heard, was = {}, {}
    for i, device in enumerate(devices):
        api.state.time_zones[device.device_id] = "Europe/London"
        alexa = Alexa(before.test_client(), clock, device=device)
        if i == 3:
            alexa.send(intent("SetAudienceIntent", {"audience": slot(
                "audience", "friends", "FRIENDS", "friends", "AudienceType")}))
        for day in range(1, 3 + 2 * i):  # from two nights to eight
            clock.now = evening(day)
            heard[device.user_id] = question(alexa.send(launch()))
        was[device.user_id] = Store(client).status(household_id(OLD_SECRET, device.user_id))
    legacy = household_id(OLD_SECRET, "amzn1.ask.account.rotate-legacy")
    seed_legacy(client, legacy, OLD_NIGHTS, **OLD)  # one still in the layout before

    for i, device in enumerate(devices):
        clock.now = evening(2 + 2 * i) + 600  # the same night as its last check-in
        again = Alexa(after.test_client(), clock, device=device).send(launch())
        assert question(again) == heard[device.user_id], "tonight's question, word for word"
        now = Store(client).status(household_id(NEW_SECRET, device.user_id))
        old = was[device.user_id]
        assert (now.streak, now.longest, now.total, now.last, now.audience) == \
            (old.streak, old.longest, old.total, old.last, old.audience)
        assert (now.depth, now.question_position, now.used) == (old.depth,
                                                                old.question_position, old.used)
    legacy_user = "amzn1.ask.account.rotate-legacy"
    moved = Store(client).status(household_id(NEW_SECRET, legacy_user),
                                 previous=previous_of(legacy_user, NEW_SECRET, OLD_SECRET))
    assert (moved.streak, moved.total, moved.reminder_token) == (OLD["streak"], OLD["total"],
                                                                 OLD["rt"])
    left = {k.decode() for k in client.scan_iter("*")}
    assert left == {key_for(household_id(NEW_SECRET, d.user_id))
                    for d in devices + [Device(user_id="amzn1.ask.account.rotate-legacy")]}
    for device in devices:
        old_id = household_id(OLD_SECRET, device.user_id)
        assert not any(client.exists(k) for k in [key_for(old_id), *legacy_keys(old_id)])

    clock.now = evening(9)
    nxt = Alexa(after.test_client(), clock, device=devices[3]).send(launch())
    assert question(nxt) != heard[devices[3].user_id]
    assert Store(client).status(household_id(NEW_SECRET, devices[3].user_id)).streak == \
        was[devices[3].user_id].streak + 1


def test_concurrent_first_requests_move_a_household_once(apps, api, clock):
    before, after, client = apps
    user = "amzn1.ask.account.rotate-busy"
    first = Device(skill_id=SKILL_ID, user_id=user, api_endpoint=api.url)
    for day in (1, 2, 3):
        clock.now = evening(day)
        Alexa(before.test_client(), clock, device=first).send(launch())
    clock.now = evening(4)
    barrier = threading.Barrier(12)

    def ask(i: int) -> dict:
        device = Device(skill_id=SKILL_ID, user_id=user, device_id=f"dev-{i}",
                        api_endpoint=api.url)
        alexa = Alexa(after.test_client(), clock, device=device)
        barrier.wait()
        return alexa.send(launch() if i % 2 else intent("StreakIntent"))

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(ask, range(12)))
    assert all("couldn't save" not in speech_of(a) for a in answers)
    status = Store(client).status(household_id(NEW_SECRET, user))
    assert (status.streak, status.total) == (4, 4), "moved once, tonight counted once"
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(household_id(NEW_SECRET,
                                                                                user))]


@pytest.fixture
def store(backend) -> Store:
    url, _ = backend
    return Store(connect(url, 0.3))


OLD_ID, NEW_ID = household_id(OLD_SECRET, "u"), household_id(NEW_SECRET, "u")
ROTATING = previous_of("u", NEW_SECRET, OLD_SECRET, "device-1")  # as the new workers see it
BACK = previous_of("u", OLD_SECRET, NEW_SECRET, "device-1")  # as workers not yet changed see it


def test_a_move_keeps_the_retention_and_forget_reaches_both_ids(store, backend):
    _, client = backend
    store.record_checkin(OLD_ID, N)
    zone_before = f"tz:{device_id_hash(OLD_SECRET, 'device-1')}"
    store.set_fields(OLD_ID, **{zone_before: "9mpc2London", "tz:cccc2222cccc2222": "9mpc2Paris"})
    client.expire(key_for(OLD_ID), 10_000)
    status = store.status(NEW_ID, tz_field=f"tz:{device_id_hash(NEW_SECRET, 'device-1')}",
                          previous=ROTATING)
    assert (status.total, status.device_tz) == (1, "9mpc2London")
    assert 9_000 < client.ttl(key_for(NEW_ID)) <= 10_000
    assert len(client.hkeys(key_for(NEW_ID))) == 4, "s, b, o and the asking device's zone only"
    store.record_checkin(OLD_ID, N + 1)  # as if a worker still on the old secret answered
    assert store.forget(NEW_ID, ROTATING) == 2
    assert list(client.scan_iter("*")) == []


def test_the_first_id_keys_the_orders_through_every_rotation(store, backend):
    _, client = backend
    store.record_checkin(OLD_ID, N)
    assert origin_of(NEW_SECRET, NEW_ID, store.status(NEW_ID, previous=ROTATING).origin) == OLD_ID
    assert bytes.fromhex(OLD_ID) not in client.hget(key_for(NEW_ID), "o"), "kept masked"
    third_secret = b"a-third-secret"
    third = household_id(third_secret, "u")
    moved = store.record_checkin(third, N + 1, previous=previous_of("u", third_secret, NEW_SECRET))
    assert origin_of(third_secret, third, moved.origin) == OLD_ID


def test_a_move_cut_short_after_marking_is_finished_by_the_next_request(store, backend):
    _, client = backend
    store.record_checkin(OLD_ID, N)
    store._run(store._take, keys=_keys(OLD_ID), args=[NEW_ID])  # then the worker died
    with pytest.raises(StorageError):  # a worker on the old secret alone: it is leaving
        store.status(OLD_ID)
    result = store.record_checkin(NEW_ID, N + 1, previous=ROTATING)
    assert (result.streak, result.total) == (2, 2)
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(NEW_ID)]


def test_a_move_cut_short_after_writing_is_cleaned_up_by_the_next_request(store, backend):
    _, client = backend
    store.record_checkin(OLD_ID, N)
    taken = store._run(store._take, keys=_keys(OLD_ID), args=[NEW_ID])
    store._run(store._put, keys=[key_for(NEW_ID)],
               args=[OLD_ID, ROTATING.carry(None), taken[0], "", "", *taken[1:]])
    assert client.exists(key_for(OLD_ID)) and client.hexists(key_for(NEW_ID), "~")
    assert store.status(NEW_ID).total == 1  # even with no previous secret set any more
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(NEW_ID)]
    assert not client.hexists(key_for(NEW_ID), "~")


def test_two_rotations_at_once_move_a_household_back_and_forth(store, backend):
    """During a rolling deploy of a rotation, some workers still run with the secrets the other
    way round: each moves the household to its own current id, and nothing is lost."""
    _, client = backend
    store.record_checkin(OLD_ID, N)
    assert store.record_checkin(NEW_ID, N + 1, previous=ROTATING).total == 2
    assert store.record_checkin(OLD_ID, N + 2, previous=BACK).total == 3
    store._run(store._take, keys=_keys(OLD_ID), args=[NEW_ID])  # a move to NEW_ID, cut short
    back = store.record_checkin(OLD_ID, N + 3, previous=BACK)
    assert (back.streak, back.origin) == (4, None), "home again: its own id keys its orders"
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(OLD_ID)]


def test_a_household_under_no_secret_is_new_after_one_look(store, backend):
    _, client = backend
    result = store.record_checkin(NEW_ID, N, previous=ROTATING)
    assert result.first_ever and result.origin is None
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(NEW_ID)]


def test_a_slower_mover_never_writes_over_a_household_already_moved(store):
    store.record_checkin(OLD_ID, N)
    first = store._run(store._take, keys=_keys(OLD_ID), args=[NEW_ID])
    second = store._run(store._take, keys=_keys(OLD_ID), args=[NEW_ID])
    assert first[1:] == second[1:], "a move under way is resumed with the same fields"
    for taken in (first, None, second):
        if taken is None:  # between the two: the household checks in under its new id
            assert store.record_checkin(NEW_ID, N + 1).total == 2
            continue
        store._run(store._put, keys=[key_for(NEW_ID)],
                   args=[OLD_ID, ROTATING.carry(None), taken[0], "", "", *taken[1:]])
    assert (store.status(NEW_ID).total, store.status(OLD_ID).total) == (2, 0)


def test_the_previous_secret_is_a_setting_and_must_differ():
    from skill.config import Config, ConfigError

    env = {"ALEXA_SKILL_ID": "amzn1.ask.skill.x", "CHECKIN_USER_ID_SECRET": "now"}
    assert Config.from_env(env).user_id_secret_previous == ""
    assert Config.from_env({**env, "CHECKIN_USER_ID_SECRET_PREVIOUS": "before"}) \
        .user_id_secret_previous == "before"
    with pytest.raises(ConfigError, match="CHECKIN_USER_ID_SECRET_PREVIOUS is the same"):
        Config.from_env({**env, "CHECKIN_USER_ID_SECRET_PREVIOUS": "now"})
