"""Metrics in one process (tests/test_metrics_live.py has two gunicorn workers): what each kind of
request counts, the labels' fixed sets of values, and the token in front of /metrics."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from skill.config import Config
from skill.dev.envelopes import Device, Session, envelope, intent, launch, session_ended
from skill.errors import ConfigError
from skill.metrics import REJECTIONS, Labels, model_intents

from .conftest import SKILL_ID, Alexa
from .logcheck import request_lines

TOKEN = "metrics-token-0123456789abcdef0123456789"


def samples(app) -> dict[tuple, float]:
    """{(sample name, (label, value) pairs sorted): value} of an app's metrics."""
    text = app.extensions["checkin"]["metrics"].exposition().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(app, name: str, **labels) -> float:
    return samples(app).get((name, tuple(sorted(labels.items()))), 0.0)


def requests(app, type_: str, intent_: str = "-", outcome: str = "ok") -> float:
    """Requests counted by type, intent and outcome: the latency histogram's _count."""
    return value(app, "checkin_request_duration_seconds_count", type=type_, intent=intent_,
                 outcome=outcome)


def seconds_le(app, bound: str, type_: str, intent_: str = "-", outcome: str = "ok") -> float:
    return value(app, "checkin_request_duration_seconds_bucket", type=type_, intent=intent_,
                 outcome=outcome, le=bound)


def test_requests_by_type_intent_and_outcome(app, alexa):
    alexa.send(launch())
    alexa.send(intent("StreakIntent"))
    alexa.send(intent("AMAZON.HelpIntent"))
    alexa.send(session_ended())
    client = app.test_client()
    strange = envelope(alexa.device, {"type": "Some.FutureRequest"}, alexa.clock.now)
    assert client.post("/", json=strange).get_json() == {"version": "1.0", "response": {}}
    assert requests(app, "LaunchRequest") == 1
    assert requests(app, "IntentRequest", "StreakIntent") == 1
    assert requests(app, "IntentRequest", "AMAZON.HelpIntent") == 1
    assert requests(app, "SessionEndedRequest") == 1
    assert requests(app, "other", "-", "ignored") == 1
    assert seconds_le(app, "+Inf", "LaunchRequest") == 1
    assert seconds_le(app, "8.0", "IntentRequest", "StreakIntent") == 1
    assert 0 < value(app, "checkin_request_duration_seconds_sum", type="LaunchRequest",
                     intent="-", outcome="ok") < 8


def test_the_safety_intent_and_unknown_names_are_other_and_name_no_household(app, alexa,
                                                                               caplog):
    caplog.set_level(logging.INFO, logger="checkin")
    data = alexa.send(intent("SafetyIntent"))
    assert data["response"]["shouldEndSession"] is True
    alexa.send(intent("MadeUpIntent-amzn1.ask.account.X"))  # a name the models do not have
    assert requests(app, "IntentRequest", "other") == 2
    text = app.extensions["checkin"]["metrics"].exposition().decode()
    assert "Safety" not in text and "MadeUp" not in text and "amzn1" not in text
    lines = request_lines(caplog.records)
    assert [(line["intent"], "household" in line) for line in lines] == [("other", False)] * 2
    alexa.send(launch())
    assert "household" in request_lines(caplog.records)[-1]


def test_labels_come_from_fixed_sets():
    intents = model_intents()
    assert {"SafetyIntent", "StreakIntent", "AMAZON.HelpIntent"} <= intents
    labels = Labels({"LaunchRequest"}, intents, discreet={"SafetyIntent"})
    assert labels.intent("StreakIntent") == "StreakIntent"
    assert labels.intent("SafetyIntent") == "other"
    assert [labels.intent(v) for v in ("Streak", None, 7, ["x"], "x" * 500)] == ["other"] * 5
    assert labels.request_type("LaunchRequest") == "LaunchRequest"
    assert labels.request_type({"a": 1}) == "other"


def _signed_rejections(app, alexa, clock):
    """One request refused for each reason verification has (a verified app)."""
    good = alexa.ca.signers["good"]
    body = json.dumps(envelope(alexa.device, launch(), clock.now)).encode()
    alexa.post(body, headers={"SignatureCertChainUrl": good.url})  # signature_headers
    alexa.post(body, headers={"SignatureCertChainUrl": "https://very.bad/echo.api/x.pem",
                              "Signature-256": good.sign(body)})  # certificate_url
    alexa.post(body, signer="untrusted")  # certificate_chain
    alexa.post(body.replace(b"Launch", b"Lunch"),  # signature
               headers={"SignatureCertChainUrl": good.url, "Signature-256": good.sign(body)})
    alexa.post(envelope(alexa.device, launch(), clock.now - 600), signer="good")  # timestamp
    alexa.post(envelope(Device(skill_id="amzn1.ask.skill.other"), launch(), clock.now),
               signer="good")  # skill_id
    alexa.post(b"{not json", signer="good")  # envelope
    clock.now += 400 * 86400  # the cached leaf has expired
    alexa.post(envelope(alexa.device, launch(), clock.now), signer="good")  # certificate_time


def test_each_rejection_is_counted_under_its_reason_and_logged_with_it(verified_app, clock, ca,
                                                                        caplog):
    caplog.set_level(logging.INFO, logger="checkin")
    alexa = Alexa(verified_app.test_client(), clock, ca, Device(skill_id=SKILL_ID))
    _signed_rejections(verified_app, alexa, clock)
    client = verified_app.test_client()
    assert client.post("/", data=b"x" * 200_000).status_code == 413
    framing = client.post("/", data=b"{}", environ_overrides={"CONTENT_LENGTH": "2x"})
    assert framing.status_code == 400
    counted = {r: value(verified_app, "checkin_rejections_total", reason=r) for r in REJECTIONS}
    assert counted == {r: 0 if r == "body_timeout" else 1 for r in REJECTIONS}
    assert requests(verified_app, "-", "-", "rejected") == len(REJECTIONS) - 1
    lines = request_lines(caplog.records)
    assert sorted(line["reason"] for line in lines) == sorted(set(REJECTIONS) - {"body_timeout"})
    assert all(line["outcome"] == "rejected" and line["status"] in (400, 413) and line["detail"]
               for line in lines)
    assert "household" not in "".join(json.dumps(line) for line in lines)


def _silent_listener() -> socket.socket:
    """A port that accepts connections and never answers: every Redis read times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return listener


def test_redis_errors_by_kind_and_degraded_answers(make_app, clock, api, redis):
    with _silent_listener() as silent:
        app = make_app(redis_url=f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                       redis_timeout=0.05)
        Alexa(app.test_client(), clock, device=Device(skill_id=SKILL_ID)).send(launch())
    assert value(app, "checkin_redis_errors_total", kind="timeout") >= 1
    assert value(app, "checkin_degraded_answers_total") == 1
    assert requests(app, "LaunchRequest", outcome="ok-degraded") == 1
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    app = make_app(redis_url=f"redis://127.0.0.1:{closed.getsockname()[1]}/0")
    closed.close()
    Alexa(app.test_client(), clock, device=Device(skill_id=SKILL_ID)).send(launch())
    assert value(app, "checkin_redis_errors_total", kind="connection") >= 1
    app = make_app()
    redis.config_set("maxmemory-policy", "noeviction")
    redis.config_set("maxmemory", 1)
    try:
        Alexa(app.test_client(), clock, device=Device(skill_id=SKILL_ID)).send(launch())
    finally:
        redis.config_set("maxmemory", 0)
    assert value(app, "checkin_redis_errors_total", kind="out_of_memory") >= 1
    assert value(app, "checkin_degraded_answers_total") == 1


def test_alexa_api_calls_by_api_and_status(make_app, api, clock):
    app = make_app(api_timeout=0.3, breaker_failures=2)
    client = app.test_client()

    def new_device(n: int) -> None:
        device = Device(skill_id=SKILL_ID, device_id=f"dev-{n}", user_id=f"user-{n}",
                        api_endpoint=api.url)
        assert client.post("/", json=envelope(device, launch(), clock.now)).status_code == 200

    new_device(0)
    for n, status in enumerate((401, 403, 404, 429), start=1):
        api.state.fail_next = [status]
        new_device(n)
    api.state.delay = 2.0  # after 429, a second failure in a row: the breaker opens
    new_device(5)
    api.state.delay = 0.0
    new_device(6)
    got = {status: value(app, "checkin_alexa_api_calls_total", api="time_zone", status=status)
           for status in ("2xx", "401", "403", "404", "429", "5xx", "timeout", "breaker-open")}
    assert got == {"2xx": 1, "401": 1, "403": 1, "404": 1, "429": 1, "5xx": 0, "timeout": 1,
                   "breaker-open": 1}


def test_checkins_counted_once_a_night(app, clock):
    for user in ("a", "b", "a"):
        Alexa(app.test_client(), clock, device=Device(skill_id=SKILL_ID, user_id=user,
                                                      device_id=user)).send(launch())
    assert value(app, "checkin_checkins_counted_total") == 2


def test_a_handler_error_counts_as_an_error(app, alexa, monkeypatch):
    from intents.streak import StreakHandler

    monkeypatch.setattr(StreakHandler, "handle", lambda self, hi: 1 / 0)
    alexa.send(intent("StreakIntent"))
    assert requests(app, "IntentRequest", "StreakIntent", "error") == 1
    assert requests(app, "IntentRequest", "StreakIntent", "ok") == 0


def test_metrics_need_the_bearer_token(make_app):
    client = make_app(metrics_token=TOKEN).test_client()
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer \udcff"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.mimetype == "text/plain"
    assert b"# TYPE checkin_request_duration_seconds histogram" in ok.data
    assert make_app().test_client().get("/metrics").status_code == 404  # no token: not served


@pytest.mark.parametrize("token", ["short", "x" * 31, "has a space in it" + "x" * 32,
                                   "é" * 40])
def test_a_weak_or_odd_token_is_a_configuration_error(token):
    with pytest.raises(ConfigError, match="CHECKIN_METRICS_TOKEN"):
        Config.from_env({"CHECKIN_VERIFY": "false", "CHECKIN_METRICS_TOKEN": token})


def test_a_session_keeps_its_labels(app, alexa):
    session = Session()
    for request in (launch(), intent("AMAZON.HelpIntent"), intent("AMAZON.StopIntent")):
        body = envelope(alexa.device, request, time.time(), session)
        assert app.test_client().post("/", json=body).status_code == 200
        session.new = False
    assert requests(app, "IntentRequest", "AMAZON.StopIntent") == 1


def test_a_failure_to_count_never_costs_the_answer(app, alexa, monkeypatch, caplog):
    metrics = app.extensions["checkin"]["metrics"]

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(metrics, "request", full)
    monkeypatch.setattr(metrics, "checkin_counted", full)
    data = alexa.send(launch())
    assert "<prosody" in data["response"]["outputSpeech"]["ssml"]
    failures = [r.msg for r in caplog.records if isinstance(r.msg, dict)
                and r.msg.get("message") == "metrics not counted"]
    assert len(failures) == 2 and failures[0]["error"] == "OSError"


def test_the_cost_script_runs_its_three_modes():
    """python -m skill.dev.opscost (README, "What they cost"), as small as it goes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}
    result = subprocess.run([sys.executable, "-m", "skill.dev.opscost", "--requests", "5",
                             "--rounds", "2", "--households", "3"], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "every line: logs and metrics add" in result.stdout
    assert "problems: logs and metrics add" in result.stdout
    assert "log lines written" in result.stdout and not result.stderr
