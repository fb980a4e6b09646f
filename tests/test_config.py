"""Configuration: defaults, clear errors, the README's table, the Redis URL forms."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster

from skill.app import create_app
from skill.config import Config, ConfigError, markdown_table
from skill.storage import Store, connect

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_need_a_skill_id_when_verifying():
    with pytest.raises(ConfigError, match="ALEXA_SKILL_ID is not set"):
        Config.from_env({})
    config = Config.from_env({"ALEXA_SKILL_ID": "amzn1.ask.skill.x"})
    assert config.verify is True and config.redis_url == ""
    assert config.redis_timeout <= 0.3


@pytest.mark.parametrize("env,fragment", [
    ({"CHECKIN_VERIFY": "maybe"}, "CHECKIN_VERIFY must be true or false"),
    ({"CHECKIN_REDIS_TIMEOUT_MS": "900"}, "between 10 and 300"),
    ({"CHECKIN_MAX_BODY_BYTES": "lots"}, "must be a whole number"),
    ({"CHECKIN_LOG_LEVEL": "LOUD"}, "is not a log level"),
    ({"CHECKIN_DEFAULT_TIMEZONE": "Nowhere/Else"}, "is not a known time zone"),
])
def test_bad_values_are_named(env, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Config.from_env({"ALEXA_SKILL_ID": "x", **env})


def test_verification_is_off_only_when_asked():
    for value in ("false", "0", "no", "off", "FALSE"):
        assert Config.from_env({"CHECKIN_VERIFY": value}).verify is False
    assert Config.from_env({"ALEXA_SKILL_ID": "x", "CHECKIN_VERIFY": "yes"}).verify is True


def test_redis_url_needs_a_secret(tmp_path):
    with pytest.raises(ConfigError, match="CHECKIN_USER_ID_SECRET must be set"):
        create_app(Config(verify=False, redis_url="redis://127.0.0.1:1/0", data_dir=tmp_path))


def test_readme_has_the_configuration_table():
    assert markdown_table() in (ROOT / "README.md").read_text()


def test_url_forms():
    assert isinstance(connect("redis://127.0.0.1:6379/0", 0.2), redis.Redis)
    tls = connect("rediss://127.0.0.1:6380/0", 0.2)
    assert tls.connection_pool.connection_class.__name__ == "SSLConnection"
    assert isinstance(connect("unix:///tmp/x.sock", 0.2), redis.Redis)
    with pytest.raises(ValueError, match="not redis, rediss or unix"):
        connect("http://127.0.0.1:6379", 0.2)


def test_cluster_url(redis_cluster):
    client = connect(redis_cluster.url, 0.3)
    assert isinstance(client, RedisCluster)
    Store(client).ping()
    plus = redis_cluster.url.replace("redis://", "redis+cluster://").replace("?cluster=true", "")
    assert isinstance(connect(plus, 0.3), RedisCluster)


def test_embedded_store_is_shared_and_persisted(tmp_path):
    from skill.embedded import EmbeddedStore

    first, second = EmbeddedStore(tmp_path), EmbeddedStore(tmp_path)
    url = first.ensure()
    try:
        assert second.ensure() == url and second.server is None, "the second only connects"
        redis.Redis.from_url(url).set("k", "v")
    finally:
        second.stop()
        first.stop()
    third = EmbeddedStore(tmp_path)
    try:
        assert redis.Redis.from_url(third.ensure()).get("k") == b"v", "data survives a restart"
    finally:
        third.stop()
