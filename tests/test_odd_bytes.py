"""Odd bytes get clear answers (issue 16): sizes, framing, nesting, characters XML forbids,
SSML echoed from session attributes, and log records a client cannot inflate. Each case names
the answer it expects; the service's framing over a real socket is in test_live_server.py."""

from __future__ import annotations

import io
import json
import logging

import pytest
from gunicorn.http.errors import InvalidChunkSize
from werkzeug.test import EnvironBuilder

from skill.dev.envelopes import Device, Session, envelope, intent, launch, session_ended, slot
from skill.intake import MAX_JSON_DEPTH, too_deep
from skill.logline import clip, error_record

from .conftest import SKILL_ID, parse_ssml, speech_of, spoken_text
from .logcheck import FORMATTER, request_lines


def _call(app, environ: dict):
    """Run the app on a raw WSGI environ (what a server hands it), return (status, JSON)."""
    status = {}

    def start_response(s, headers, exc_info=None):
        status["code"] = int(s.split()[0])

    body = b"".join(app.wsgi_app(environ, start_response))
    return status["code"], json.loads(body)


def _environ(body=b"", stream=None, **headers) -> dict:
    environ = EnvironBuilder(method="POST", path="/", data=body).get_environ()
    if stream is not None:
        environ["wsgi.input"] = stream
    for name, value in headers.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def test_chunked_body_over_the_limit_is_413_not_a_signature_error(make_app, redis):
    app = make_app(max_body_bytes=2048, verify=True)
    big = io.BytesIO(json.dumps({"pad": "x" * 5000}).encode())  # no Content-Length: chunked
    code, data = _call(app, _environ(stream=big, CONTENT_LENGTH=None))
    assert (code, data["error"]) == (413, "request_entity_too_large")
    assert list(redis.scan_iter()) == []


def test_declared_length_over_the_limit_is_413_before_reading(make_app):
    class Unreadable(io.RawIOBase):
        def read(self, n=-1):
            raise AssertionError("the body was read")

    app = make_app(max_body_bytes=2048)
    code, data = _call(app, _environ(stream=Unreadable(), CONTENT_LENGTH="999999"))
    assert code == 413 and "2048" in data["reason"]


class BadChunks(io.RawIOBase):
    """What gunicorn's body reader raises on a malformed chunk size."""

    def read(self, n=-1):
        raise InvalidChunkSize(b"zz")


@pytest.mark.parametrize("environ_args,reason", [
    ({"stream": BadChunks(), "CONTENT_LENGTH": None}, "malformed request body framing"),
    ({"body": b"{}", "CONTENT_LENGTH": "12"}, "shorter than its Content-Length"),
    ({"body": b"{}", "CONTENT_LENGTH": "2x"}, "Content-Length is not a number"),
])
def test_malformed_framing_is_400_with_a_reason_and_no_traceback(make_app, caplog, environ_args,
                                                                   reason):
    code, data = _call(make_app(), _environ(**environ_args))
    assert code == 400 and reason in data["reason"]
    assert "Traceback" not in caplog.text and "unexpected" not in caplog.text


def _nested(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 20000])
def test_nesting_beyond_the_limit_is_400_before_the_handlers(client, clock, caplog, depth):
    session = Session(new=False, attributes={"offer": _nested(depth)}) if depth < 1000 else None
    body = envelope(Device(skill_id=SKILL_ID), launch(), clock.now, session)
    raw = json.dumps(body).encode() if session else b"[" * depth + b"]" * depth
    r = client.post("/", data=raw)
    assert r.status_code == 400 and r.get_json()["reason"]
    assert "Traceback" not in caplog.text and "handler failed" not in caplog.text


def test_depth_check_skips_strings_and_passes_real_envelopes(clock):
    assert not too_deep(json.dumps({"text": "[" * 500}).encode())
    assert too_deep(json.dumps(_nested(MAX_JSON_DEPTH + 1)).encode())
    assert not too_deep(json.dumps(_nested(MAX_JSON_DEPTH - 1)).encode())
    tip = intent("TipIntent", {"topic": slot("topic", "listening", "ACTIVE_LISTENING", None,
                                             "TipTopicType")})
    assert not too_deep(json.dumps(envelope(Device(), tip, clock.now, Session())).encode())


FORBIDDEN = ["nul\x00here", "bell\x07and\x1bescape", "lone \ud800 surrogate", "\udfff",
             "\ufffe\uffff", "form\x0cfeed"]


@pytest.mark.parametrize("value", FORBIDDEN)
def test_characters_xml_forbids_never_reach_ssml(client, clock, value):
    body = envelope(Device(skill_id=SKILL_ID),
                    intent("TipIntent", {"topic": slot("topic", value, None, None,
                                                       "TipTopicType")}), clock.now)
    r = client.post("/", data=json.dumps(body, ensure_ascii=True))
    assert r.status_code == 200
    ssml = speech_of(r.get_json())
    parse_ssml(ssml)  # valid XML (check_response does this for every other test)
    assert not any(ch in ssml for ch in "\x00\x07\x1b\x0c\ud800\udfff\ufffe\uffff")


def _repeat_with(alexa, last) -> str:
    alexa.session = Session(new=False, attributes={"last": last})
    return spoken_text(speech_of(alexa.send(intent("AMAZON.RepeatIntent"), in_session=True)))


@pytest.mark.parametrize("speech", [
    "<audio src='https://evil.example/x.mp3'/>Hello?",  # markup our builder never writes
    "plain & broken <b>",  # not XML at all
    "a" * 8000 + "?",  # over Alexa's limit
    12345, ["not", "text"], None,  # not a string
    "null\x00byte?",  # a character XML forbids
])
def test_repeat_rechecks_what_comes_back_from_session_attributes(alexa, speech):
    heard = _repeat_with(alexa, {"speech": speech, "reprompt": "Anything else?"})
    assert "evil" not in heard and "broken" not in heard and "aaaa" not in heard
    assert heard  # the answer from cold: tonight's question


def test_repeat_says_our_own_ssml_again(alexa):
    said = alexa.send(intent("AMAZON.HelpIntent"), in_session=True)
    heard = _repeat_with(alexa, said["sessionAttributes"]["last"])
    assert heard == spoken_text(speech_of(said))


def test_long_client_texts_are_cut_in_logs(alexa, caplog):
    caplog.set_level(logging.INFO, logger="checkin")
    ended = session_ended("ERROR")
    ended["error"] = {"type": "INVALID_RESPONSE", "message": "line\n" * 3000}
    alexa.send(ended)
    records = [r for r in caplog.records if "session ended" in r.getMessage()]
    assert len(records) == 1 and len(records[0].getMessage()) < 300
    assert "\n" not in FORMATTER.format(records[0])


def test_a_handler_error_is_one_compact_record(alexa, caplog, monkeypatch):
    from intents.streak import StreakHandler

    def deep(n):
        return deep(n + 1) if n < 500 else (_ for _ in ()).throw(RecursionError("x" * 5000))

    monkeypatch.setattr(StreakHandler, "handle", lambda self, hi: deep(0))
    data = alexa.send(intent("StreakIntent"))
    assert "Sorry" in spoken_text(speech_of(data))
    failures = [r for r in caplog.records if "handler failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is None
    line = FORMATTER.format(failures[0])
    record = json.loads(line)
    assert record["message"] == "handler failed" and record["error"] == "RecursionError"
    assert len(line) < 1000 and len(record["at"]) == 5
    assert [r["outcome"] for r in request_lines(caplog.records)] == ["error"]


def test_clip_and_error_record_stay_one_short_line():
    assert clip("a\nb\r\nc\x1b[31m" + "z" * 500) .startswith("a b c?[31m")
    assert len(clip("z" * 500)) == 200 and clip("\ud800") == "\\ud800"
    try:
        raise ValueError("bad\nthing")
    except ValueError as e:
        assert "\n" not in json.dumps(error_record("x", e))
