"""HTTP hygiene: methods, bodies, sizes, ignored request types, health and readiness."""

from __future__ import annotations

import json

from skill.envelopes import Device, envelope, launch

from .conftest import SKILL_ID, speech_of


def test_other_methods_get_405(client):
    for method in ("get", "put", "delete", "patch"):
        r = getattr(client, method)("/")
        assert r.status_code == 405
        assert r.get_json()["error"] == "method_not_allowed"


def test_body_not_json_is_400(client, redis):
    r = client.post("/", data=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["reason"] == "body is not JSON"
    assert list(redis.scan_iter()) == []


def test_json_that_is_not_an_envelope_is_400(client):
    for body in ([1, 2], {"request": "x"}, {"request": {"type": 3}}, "text"):
        r = client.post("/", data=json.dumps(body))
        assert r.status_code == 400, body


def test_body_above_limit_is_413(make_app):
    app = make_app(max_body_bytes=2048)
    big = json.dumps({"pad": "x" * 5000}).encode()
    r = app.test_client().post("/", data=big)
    assert r.status_code == 413
    assert r.get_json()["error"] == "request_entity_too_large"


def test_ignored_request_type_gets_valid_empty_response(client, clock):
    for rtype in ("Alexa.Presentation.APL.UserEvent", "Something.Unknown", "CanFulfillIntentRequest"):
        body = envelope(Device(skill_id=SKILL_ID), {"type": rtype}, clock.now)
        r = client.post("/", data=json.dumps(body))
        assert r.status_code == 200, rtype
        assert r.get_json()["version"] == "1.0"
        assert "outputSpeech" not in r.get_json()["response"]


def test_healthz(client):
    assert client.get("/healthz").status_code == 200


def test_readyz_follows_redis_without_restart(client, redis_server):
    assert client.get("/readyz").status_code == 200
    redis_server.stop()
    try:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert "storage unreachable" in r.get_json()["reason"]
    finally:
        redis_server.start()
    assert client.get("/readyz").status_code == 200


def test_launch_without_verification(alexa):
    assert "<speak>" in speech_of(alexa.send(launch()))
