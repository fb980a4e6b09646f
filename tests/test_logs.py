"""Structured logs: every record one JSON object with the request's context, the request line's
fields and levels, gunicorn's records and Python's warnings in the same format, and no raw Alexa
id or token in any of it (conftest.py checks every record of the suite; this file the parts)."""

from __future__ import annotations

import json
import logging
import logging.config
import warnings

import pytest

from skill.config import Config
from skill.dev.envelopes import Device, envelope, intent, launch
from skill.errors import StorageError
from skill.logline import REQUEST, JsonFormatter, configure, error_record, gunicorn_logconfig, scrub

from .conftest import SKILL_ID, Alexa
from .logcheck import FORMATTER, formatted, request_lines


def test_the_request_line_has_its_fields_and_other_records_the_context(app, alexa, caplog,
                                                                        monkeypatch, log_lines):
    def down():
        raise StorageError("down")

    caplog.set_level(logging.INFO, logger="checkin")
    monkeypatch.setattr(app.extensions["checkin"]["services"], "store_provider", down)
    alexa.send(intent("StreakIntent"))
    records = [r for r in log_lines() if r["logger"] == "checkin"]
    line = request_lines(caplog.records)[0]
    assert set(line) == {"time", "level", "logger", "pid", "message", "type", "intent",
                         "request_id", "household", "outcome", "status", "latency_ms"}
    assert (line["type"], line["intent"], line["outcome"], line["level"]) == (
        "IntentRequest", "StreakIntent", "ok-degraded", "WARNING")
    assert line["time"].endswith("Z") and len(line["time"]) == 24
    storage = [r for r in records if r["message"].startswith("storage unavailable")]
    assert storage and all(r["request_id"] == line["request_id"] and
                           r["household"] == line["household"] for r in storage)


def test_by_default_only_problems_are_logged(make_app, clock, caplog):
    """The default level is WARNING: a line for every request costs about 90 µs of CPU (README,
    "What they cost"), more than the 40 µs that logs and metrics may add; the metrics count all."""
    default = Config.from_env({"CHECKIN_VERIFY": "false"}).log_level
    assert default == Config().log_level
    app = make_app(log_level=default)
    alexa = Alexa(app.test_client(), clock, device=Device(skill_id=SKILL_ID))
    alexa.send(launch())
    alexa.post(b"{nope")
    lines = request_lines(caplog.records)
    assert [(line["outcome"], line["level"], line["reason"]) for line in lines] == [
        ("rejected", "WARNING", "envelope")]
    assert lines[0]["detail"] == "body is not JSON" and "household" not in lines[0]


@pytest.mark.parametrize("request_id,logged", [
    ("amzn1.echo-api.request.0f6e2a3c-1111-2222-3333-444455556666", True),
    ("amzn1.ask.account.SOMEONE", False), ("x" * 500, False), ("a\nb", False), (7, False)])
def test_only_an_alexa_request_id_is_logged(app, alexa, caplog, request_id, logged):
    caplog.set_level(logging.INFO, logger="checkin")
    body = envelope(alexa.device, launch(), alexa.clock.now)
    body["request"]["requestId"] = request_id
    app.test_client().post("/", json=body)
    line = request_lines(caplog.records)[0]
    assert ("request_id" in line) is logged and line["outcome"] == "ok"


def test_an_alexa_id_or_token_that_reaches_a_record_is_blanked():
    record = logging.LogRecord("x", logging.WARNING, "", 0, "user %s device %s token %s",
                               ("amzn1.ask.account.AB-12", "amzn1.ask.device.CD.34",
                                "eyJhbGciOi.eyJzdWIiOi.c2ln"), None)
    line = FORMATTER.format(record)
    assert json.loads(line)["message"] == "user [private] device [private] token [private]"
    assert scrub("amzn1.echo-api.request.1 Atza|abc+/=") == "amzn1.echo-api.request.1 [private]"


def test_a_record_orjson_refuses_is_still_one_json_line():
    record = logging.LogRecord("x", logging.ERROR, "", 0, "bad \udcff byte", (), None)
    assert json.loads(FORMATTER.format(record))["message"] == "bad \udcff byte"
    record = logging.LogRecord("x", logging.ERROR, "", 0, error_record("failed", ValueError(
        "deep\ninside")), (), None)
    assert json.loads(FORMATTER.format(record))["detail"] == "deep inside"


def test_the_context_is_the_requests_own():
    token = REQUEST.set({"request_id": "amzn1.echo-api.request.A"})
    try:
        inside = logging.LogRecord("x", logging.INFO, "", 0, "inside", (), None)
        assert formatted(inside)["request_id"] == "amzn1.echo-api.request.A"
    finally:
        REQUEST.reset(token)
    assert "request_id" not in formatted(logging.LogRecord("x", logging.INFO, "", 0, "out", (),
                                                           None))


def test_gunicorns_records_and_warnings_are_json(capsys):
    """gunicorn's logconfig_dict (skill/server.py) and configure(): its error log and Python's
    warnings become JSON records on stderr like the service's own."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("gunicorn.error").handlers[:]
    globals_ = {name: getattr(logging, name) for name in ("_srcfile", "logThreads",
                                                          "logMultiprocessing")}
    try:
        logging.config.dictConfig(gunicorn_logconfig())
        configure()
        assert any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
        logging.getLogger("gunicorn.error").info("Booting worker with pid: %s", 42)
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("something is deprecated", DeprecationWarning)
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved[0]  # dictConfig replaced them (the suite's own among them)
        root.setLevel(saved[1])
        logging.getLogger("gunicorn.error").handlers[:] = saved[2]
        for name, value in globals_.items():  # configure() lightened the records
            setattr(logging, name, value)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["logger"], r["level"]) for r in lines] == [("gunicorn.error", "INFO"),
                                                          ("py.warnings", "WARNING")]
    assert lines[0]["message"] == "Booting worker with pid: 42"
    assert "something is deprecated" in lines[1]["message"]
