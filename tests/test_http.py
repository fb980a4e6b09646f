"""HTTP hygiene: methods, bodies, sizes, ignored request types, health and readiness."""

from __future__ import annotations

import json

from skill.dev.envelopes import Device, envelope, launch

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


def _post(client, body):
    return client.post("/", data=json.dumps(body) if not isinstance(body, bytes) else body)


def test_edge_envelopes_get_an_answer_or_a_reason(client, clock, api):
    from skill.dev.envelopes import intent, slot

    device = Device(skill_id=SKILL_ID)
    # no device: the night still counts and the answer is the question, not an apology
    body = envelope(device, launch(), clock.now)
    del body["context"]["System"]["device"]
    data = _post(client, body).get_json()
    assert "<prosody" in speech_of(data)
    # a resolution whose value is null
    body = envelope(device, intent("TipIntent", {"topic": {
        "name": "topic", "value": "x", "resolutions": {"resolutionsPerAuthority": [
            {"authority": "a", "status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": None}]}
        ]}}}), clock.now)
    assert "Sorry" not in speech_of(_post(client, body).get_json())
    # a very long unmatched topic is not echoed in full
    body = envelope(device, intent("TipIntent", {"topic": slot("topic", "word " * 3000, None,
                                                               None, "TipTopicType")}), clock.now)
    data = _post(client, body).get_json()
    assert "Sorry" not in speech_of(data) and len(speech_of(data)) < 2000
    # a reminder accepted on a request with no API endpoint
    body = envelope(device, {"type": "Connections.Response", "name": "AskFor",
                             "status": {"code": "200"}, "token": "reminder:21:00",
                             "payload": {"status": "ACCEPTED"}}, clock.now)
    assert "Sorry, something went wrong" not in speech_of(_post(client, body).get_json())
    # user ids that are not valid UTF-8 text, and timestamps from another era
    body = envelope(Device(skill_id=SKILL_ID, user_id="amzn1.\udcff"), launch(), clock.now)
    body["request"]["timestamp"] = "0001-01-01T00:00:00Z"
    data = _post(client, json.dumps(body, ensure_ascii=True).encode()).get_json()
    assert "<prosody" in speech_of(data)


def test_deeply_nested_or_contextless_bodies_are_400(client, clock):
    nested = b"[" * 20000 + b"]" * 20000
    assert _post(client, nested).status_code == 400
    body = envelope(Device(skill_id=SKILL_ID), launch(), clock.now)
    del body["context"]
    r = _post(client, body)
    assert r.status_code == 400 and "context.System" in r.get_json()["reason"]
