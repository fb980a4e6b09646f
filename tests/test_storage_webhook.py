"""Nights, zones, outages and privacy through the webhook, on a single server and on a cluster
(the store's own operations: test_storage.py)."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from skill.dev.envelopes import Device, envelope, intent, launch, skill_event
from skill.nights import night_of
from skill.storage import RETENTION_DAYS, Store, connect, household_id, key_for

from .conftest import SECRET, SKILL_ID, Alexa, speech_of

N = datetime(2026, 12, 1).toordinal()


@pytest.fixture
def store(backend) -> Store:
    url, _ = backend
    return Store(connect(url, 0.3))


# -- through the webhook -------------------------------------------------------------------

def local_ts(tz: str, y, m, d, hh, mm=0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(tz)).timestamp()


def test_night_runs_until_4am():
    tz = ZoneInfo("Europe/London")
    assert night_of(local_ts("Europe/London", 2026, 12, 2, 3, 59), tz) == N
    assert night_of(local_ts("Europe/London", 2026, 12, 2, 4, 0), tz) == N + 1
    assert night_of(local_ts("Europe/London", 2026, 12, 1, 21, 0), tz) == N


@pytest.fixture
def webhook(make_app, backend, api, clock):
    url, client = backend
    app = make_app(redis_url=url)
    device = Device(skill_id=SKILL_ID, api_endpoint=api.url)
    return Alexa(app.test_client(), clock, device=device), client


def test_concurrent_webhook_checkins_add_exactly_one_night(webhook, clock):
    alexa, client = webhook
    clock.now = local_ts("America/New_York", 2026, 12, 1, 21)
    bodies = []
    for i in range(30):
        device = Device(skill_id=SKILL_ID, user_id=alexa.device.user_id,
                        device_id=f"device-{i}", api_endpoint=alexa.device.api_endpoint)
        bodies.append(json.dumps(envelope(device, launch(), clock.now)).encode())
    barrier = threading.Barrier(30)
    app = alexa.client.application

    def post(body):
        barrier.wait()
        return app.test_client().post("/", data=body)

    with ThreadPoolExecutor(30) as pool:
        responses = list(pool.map(post, bodies))
    assert all(r.status_code == 200 for r in responses)
    hh = household_id(SECRET.encode(), alexa.device.user_id)
    assert Store(client).status(hh).total == 1
    questions = {_question(r.get_json()) for r in responses}
    assert len(questions) == 1, "every device hears the same question"


def _question(data: dict) -> str:
    ssml = speech_of(data)
    return ssml.split('<prosody rate="90%">')[1].split("</prosody>")[0]


def test_365_nights_365_different_questions(webhook, clock):
    alexa, _ = webhook
    start = local_ts("America/New_York", 2026, 1, 1, 21)
    asked = []
    for night in range(365):
        clock.now = start + night * 86400
        asked.append(_question(alexa.send(launch())))
    assert len(set(asked)) == 365
    clock.now += 600
    assert _question(alexa.send(launch())) == asked[-1], "asking twice gives the same question"
    other = Alexa(alexa.client, clock, device=Device(skill_id=SKILL_ID, user_id="someone-else",
                                                     api_endpoint=alexa.device.api_endpoint))
    theirs = []
    for night in range(10):
        clock.now = start + night * 86400
        theirs.append(_question(other.send(launch())))
    assert theirs != asked[:10], "two households get different orders"


def test_forget_us_and_skill_disabled_leave_no_key(webhook, clock):
    alexa, client = webhook
    raw_user = "amzn1.ask.account.RAW-USER-ID-123"
    alexa.device.user_id = raw_user
    alexa.send(launch())
    alexa.send(intent("StreakIntent"))
    keys = [k.decode() for k in client.scan_iter("*")]
    assert keys and not any(raw_user in k or "RAW-USER" in k for k in keys)
    for key in keys:
        if client.type(key) == b"hash":
            assert not any(raw_user.encode() in v for v in client.hgetall(key).values())
    alexa.send(intent("ForgetUsIntent"), in_session=True)
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert "deleted" in speech_of(data)
    hh = household_id(SECRET.encode(), raw_user)
    assert list(client.scan_iter("*")) == []

    alexa.send(launch())
    assert [k.decode() for k in client.scan_iter("*")] == [key_for(hh)]
    alexa.send(skill_event("SkillDisabled"))
    assert list(client.scan_iter("*")) == []


def test_device_time_zone_from_the_settings_api_once(webhook, api, clock):
    alexa, client = webhook
    api.state.time_zones[alexa.device.device_id] = "Asia/Kolkata"
    # 02:00 in Kolkata on Dec 2 belongs to the night of Dec 1 there (UTC is still Dec 1, 20:30)
    clock.now = local_ts("Asia/Kolkata", 2026, 12, 2, 2)
    for _ in range(5):
        alexa.send(launch())
        alexa.send(intent("StreakIntent"))
    tz_calls = [c for c in api.calls if c.path.endswith("System.timeZone")]
    assert len(tz_calls) == 1
    assert tz_calls[0].headers.get("Authorization") == "Bearer simulated-token"
    hh = household_id(SECRET.encode(), alexa.device.user_id)
    assert Store(client).status(hh).last == N


def test_zone_cached_in_redis_serves_a_new_worker(make_app, backend, api, clock):
    url, _ = backend
    device = Device(skill_id=SKILL_ID, api_endpoint=api.url)
    api.state.time_zones[device.device_id] = "Europe/London"
    Alexa(make_app(redis_url=url).test_client(), clock, device=device).send(launch())
    Alexa(make_app(redis_url=url).test_client(), clock, device=device).send(launch())
    assert len([c for c in api.calls if c.path.endswith("System.timeZone")]) == 1


@pytest.mark.parametrize("failure", ["status", "slow", "absent"])
def test_settings_api_failure_uses_default_zone(webhook, api, clock, failure):
    alexa, client = webhook
    if failure == "status":
        api.state.fail_next = [500]
    elif failure == "slow":
        api.state.delay = 1.5  # longer than the 1 s timeout
    else:
        alexa.device.api_endpoint = None
        alexa.device.api_access_token = None
    # 23:30 in New York (the default zone) is already the next day in UTC
    clock.now = local_ts("America/New_York", 2026, 12, 1, 23, 30)
    data = alexa.send(launch())
    assert "<prosody" in speech_of(data)
    hh = household_id(SECRET.encode(), alexa.device.user_id)
    assert Store(client).status(hh).last == N


def test_redis_down_still_answers_and_recovers(make_app, redis_server, redis, api, clock):
    alexa = Alexa(make_app().test_client(), clock,
                  device=Device(skill_id=SKILL_ID, api_endpoint=api.url))
    clock.now = local_ts("America/New_York", 2026, 12, 1, 21)
    first = _question(alexa.send(launch()))
    redis_server.stop()
    try:
        clock.now += 86400
        down = alexa.send(launch())
        assert "couldn't save tonight" in speech_of(down)
        assert "<prosody" in speech_of(down)
        assert _question(alexa.send(launch())) == _question(down), "deterministic without storage"
        for name in ("StreakIntent", "DoneIntent", "ValidationPhraseIntent"):
            assert speech_of(alexa.send(intent(name)))
        alexa.send(intent("ForgetUsIntent"), in_session=True)
        assert "nothing was deleted" in speech_of(alexa.send(intent("AMAZON.YesIntent"),
                                                            in_session=True))
    finally:
        redis_server.start()
    clock.now += 86400
    after = alexa.send(launch())
    assert "couldn't save" not in speech_of(after)
    hh = household_id(SECRET.encode(), alexa.device.user_id)
    # the test server does not persist, so the restart emptied it: tonight is recorded afresh
    assert Store(redis_server.client()).status(hh).last == N + 2
    assert first


def test_slow_redis_gets_an_answer_not_an_error(make_app, redis_server, redis, api, clock):
    alexa = Alexa(make_app().test_client(), clock,
                  device=Device(skill_id=SKILL_ID, api_endpoint=api.url))
    blocker = threading.Thread(target=lambda: redis_server.client().execute_command("DEBUG",
                                                                                    "SLEEP", "1"))
    blocker.start()
    try:
        import time

        time.sleep(0.05)
        data = alexa.send(launch())
        assert "couldn't save tonight" in speech_of(data)
    finally:
        blocker.join()
    hh = household_id(SECRET.encode(), alexa.device.user_id)
    assert not redis.exists(key_for(hh)), "nothing half-written"


def test_unknown_user_gets_speech_without_storage(make_app, redis, clock):
    app = make_app()
    body = envelope(Device(skill_id=SKILL_ID), launch(), clock.now)
    del body["context"]["System"]["user"]
    r = app.test_client().post("/", data=json.dumps(body))
    assert r.status_code == 200 and "<prosody" in speech_of(r.get_json())
    assert list(redis.scan_iter("*")) == []


def test_user_id_is_never_a_key(make_app, redis, clock):
    alexa = Alexa(make_app().test_client(), clock)
    alexa.device.user_id = f"amzn1.ask.account.{uuid.uuid4()}"
    alexa.send(launch())
    for key in redis.scan_iter("*"):
        assert alexa.device.user_id.encode() not in key


def test_nights_in_counts_every_window():
    import random

    from skill.storage import Status

    rng = random.Random(3)
    history = bytes(rng.randrange(256) for _ in range(6))
    status = Status(last=None, streak=0, longest=0, total=0, rest_night=None, tonight_night=None,
                    question_position=None, depth=None, first=None, device_tz=None,
                    reminder_token=None, reminder_time=None, history=history, history_from=N)
    for first in range(N - 5, N + 52):
        for last in range(first - 1, N + 52):
            expected = sum(status.checked_in(n) for n in range(first, last + 1))
            assert status.nights_in(first, last) == expected, (first, last)


def test_zone_read_by_a_streak_request_is_shared_through_redis(make_app, backend, api, clock):
    url, _ = backend
    device = Device(skill_id=SKILL_ID, api_endpoint=api.url)
    api.state.time_zones[device.device_id] = "Europe/London"
    Alexa(make_app(redis_url=url).test_client(), clock, device=device).send(launch())
    other = Device(skill_id=SKILL_ID, api_endpoint=api.url, device_id="kitchen")
    api.state.time_zones["kitchen"] = "Europe/London"
    Alexa(make_app(redis_url=url).test_client(), clock, device=other).send(intent("StreakIntent"))
    Alexa(make_app(redis_url=url).test_client(), clock, device=other).send(intent("StreakIntent"))
    calls = [c.path for c in api.calls if c.path.endswith("System.timeZone")]
    assert len(calls) == 2, "one lookup per device, whichever request and worker made it"


@pytest.mark.parametrize("size", [1, 2, 3, 7, 140, 153, 255, 256, 257, 1000])
def test_question_order_is_a_permutation_per_household(size):
    import hashlib

    from skill.rules import shuffled_index

    orders = []
    for household in ("a", "b"):
        key = hashlib.blake2b(household.encode(), digest_size=16).digest()
        order = [shuffled_index(key, i, size) for i in range(size)]
        assert sorted(order) == list(range(size))
        orders.append(order)
    if size > 3:
        assert orders[0] != orders[1]
        assert orders[0] != list(range(size)), "not the bank's own order"


def test_settings_never_extend_retention(store, backend):
    _, client = backend
    store.record_checkin("hh", N)
    client.expire(key_for("hh"), 1000)  # as if the last check-in was long ago
    assert store.set_fields("hh", rt="token", rtime="21:00")
    assert client.ttl(key_for("hh")) <= 1000
    assert store.set_fields("new", rt="token")  # a new household's key gets the full retention
    assert client.ttl(key_for("new")) > RETENTION_DAYS * 86400 - 60
    assert not store.set_fields("gone", only_existing=True, **{"tz:d": "UTC|1"})
    assert not client.exists(key_for("gone"))


def test_a_streak_read_after_forget_writes_nothing(webhook, api, clock):
    alexa, client = webhook
    alexa.send(launch())
    alexa.send(intent("ForgetUsIntent"), in_session=True)
    alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    alexa.client.application.extensions["checkin"]["services"].zones._data.clear()
    alexa.send(intent("StreakIntent"))
    assert list(client.scan_iter("ck*")) == []


def test_a_streak_that_keeps_breaking_still_never_repeats_a_question(store, content):
    """Six nights on, two off, for over a year: the streak never passes seven (light by the
    schedule), yet no question repeats until every bank has been heard."""
    from intents.common import question_at

    c = content.for_locale("en-US")
    sizes = tuple(len(c.questions[d]) for d in "LMD")
    heard = []
    night = N
    while len(heard) < sum(sizes):
        for _ in range(6):
            r = store.record_checkin("onoff", night, bank_sizes=sizes)
            heard.append(question_at(c, "onoff", r.depth, r.question_position).text)
            night += 1
        night += 2
    first_pass = heard[:sum(sizes)]
    assert len(set(first_pass)) == len(first_pass)
