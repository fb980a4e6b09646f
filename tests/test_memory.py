"""Memory limits are loud and erased means erased on disk (issue 16): an evicting Redis is
refused at start (or loudly allowed), /readyz is not ready while Redis refuses writes and ready
after, and the embedded store's files lose a forgotten household at the scheduled rewrite."""

from __future__ import annotations

import logging
import time

import pytest

from skill.config import Config
from skill.dev.envelopes import launch
from skill.dev.ports import free_port
from skill.embedded import start_before_workers
from skill.erasure import is_embedded_url, rewrite_if_due
from skill.errors import CommandError
from skill.redis_server import RedisServer
from skill.storage import Store, key_for

from .conftest import SECRET, speech_of


@pytest.fixture
def policy(redis):
    """Set Redis's maxmemory-policy (and limit) for one test, restored after."""
    def set_policy(name: str, maxmemory: int = 0):
        redis.config_set("maxmemory-policy", name)
        redis.config_set("maxmemory", maxmemory)
    yield set_policy
    set_policy("noeviction", 0)


def _config(redis_server, **changes) -> Config:
    return Config(skill_id="x", verify=False, redis_url=redis_server.url, user_id_secret=SECRET,
                  **changes)


@pytest.mark.parametrize("name", ["volatile-lru", "allkeys-lfu", "volatile-ttl"])
def test_an_evicting_policy_is_refused_at_start_with_one_line(redis_server, policy, name):
    policy(name)
    with pytest.raises(CommandError) as refused:
        start_before_workers(_config(redis_server))
    line = str(refused.value)
    assert "\n" not in line and name in line and "noeviction" in line


def test_an_evicting_policy_is_allowed_only_when_asked_with_a_warning(redis_server, policy,
                                                                      caplog):
    policy("volatile-lru")
    assert start_before_workers(_config(redis_server, allow_eviction=True)) == (None, {})
    assert "CHECKIN_ALLOW_EVICTION is on" in caplog.text
    policy("noeviction")
    assert start_before_workers(_config(redis_server)) == (None, {})


def test_readyz_names_an_evicting_policy(make_app, policy):
    policy("allkeys-lru")
    r = make_app().test_client().get("/readyz")
    assert r.status_code == 503 and "allkeys-lru" in r.get_json()["reason"]
    assert make_app(allow_eviction=True).test_client().get("/readyz").status_code == 200


def test_readyz_is_not_ready_while_redis_refuses_writes_and_ready_after(make_app, alexa, redis,
                                                                          policy):
    client = make_app().test_client()
    assert client.get("/readyz").status_code == 200
    policy("noeviction", maxmemory=1)  # every write is now over the limit
    r = client.get("/readyz")
    assert r.status_code == 503 and "memory limit" in r.get_json()["reason"]
    data = alexa.send(launch())  # answered honestly, nothing half-written
    assert "<prosody" in speech_of(data)
    assert list(redis.scan_iter("ck*")) == []
    policy("noeviction", maxmemory=0)
    assert client.get("/readyz").status_code == 200
    alexa.send(launch())
    assert len(list(redis.scan_iter("ck*"))) == 1  # the household's one key, written whole


def _files(directory) -> bytes:
    return b"".join(p.read_bytes() for p in directory.iterdir()
                    if p.is_file() and p.suffix in (".aof", ".rdb"))


def _wait_for_files(client, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not (info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"]
                or info["rdb_bgsave_in_progress"]):
            return
        time.sleep(0.05)
    raise AssertionError("the rewrite did not finish")


def test_a_forgotten_household_is_gone_from_the_store_files_after_the_rewrite(tmp_path):
    server = RedisServer(tmp_path, port=free_port(), persist=True,
                         extra_args=["--appendfsync", "always"])
    with server:
        client = server.client()
        store = Store(client, mark_erasures=True)
        household = "f0rg0tten0household0000000000000"
        for night in range(739000, 739030):
            store.record_checkin(household, night)
        store.set_fields(household, rt="reminder-token-of-the-forgotten")
        store.record_checkin("kept", 739000)
        assert household.encode() in _files(tmp_path)
        assert store.forget(household) == 1
        assert household.encode() in _files(tmp_path)  # a DEL appended, the writes still there
        assert rewrite_if_due(store)
        _wait_for_files(client)
        files = _files(tmp_path)
        assert household.encode() not in files and b"reminder-token" not in files
        assert key_for("kept").encode() in files
        store.forget("kept")
        assert not rewrite_if_due(store)  # at most once an hour: the marker waits
        client.close()


def test_a_worker_knows_the_embedded_store_by_its_url(tmp_path):
    (tmp_path / "redis.url").write_text("unix:///x/redis.sock\n")
    assert is_embedded_url("unix:///x/redis.sock", tmp_path)
    assert not is_embedded_url("redis://elsewhere:6379/0", tmp_path)
    assert not is_embedded_url("unix:///x/redis.sock", tmp_path / "none")


def test_forget_marks_the_embedded_store_only(redis):
    Store(redis).forget("a")
    assert redis.get("checkin:erase-pending") is None
    Store(redis, mark_erasures=True).forget("a")
    assert redis.get("checkin:erase-pending") == b"1"


def test_the_start_check_leaves_an_unreachable_redis_to_readyz(caplog):
    caplog.set_level(logging.WARNING, logger="checkin")
    config = Config(skill_id="x", verify=False, user_id_secret=SECRET,
                    redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert start_before_workers(config) == (None, {})
    assert "/readyz checks it" in caplog.text
