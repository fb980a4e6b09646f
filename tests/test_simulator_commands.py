"""``checkin say`` and ``checkin chat``: in-process and over ``--url``, errors, the state file
between separate ``say`` runs, a scripted chat."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from skill import cli
from skill.dev.ports import free_port

from .conftest import SECRET

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli_env(monkeypatch, redis, redis_server, tmp_path):
    """`checkin say` / `chat` in-process, on the test Redis."""
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("CHECKIN_USER_ID_SECRET", SECRET)
    monkeypatch.setenv("CHECKIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ALEXA_SKILL_ID", raising=False)
    return redis


def checkin(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_say_over_url_matches_in_process(cli_env, redis_server, tmp_path, capsys):
    port = free_port()
    env = dict(os.environ, REDIS_URL=redis_server.url, CHECKIN_USER_ID_SECRET=SECRET,
               CHECKIN_DATA_DIR=str(tmp_path / "serve"))
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "skill.cli", "serve", "--no-verify", "--port", str(port),
             "--workers", "1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(url + "readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, f"checkin serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"checkin serve is not ready:\n{log.read_text()}"
            time.sleep(0.1)
        common = ("--at", "2026-12-01T21:30", "--tz", "Europe/London", "--user", "robin")
        over_http = [checkin(capsys, "say", said, "--url", url, *common)
                     for said in ("start our check in", "what's our streak")]
        assert [code for code, _, _ in over_http] == [0, 0], (over_http, log.read_text())
    finally:
        server.terminate()
        server.wait(timeout=10)
    cli_env.flushall()
    in_process = [checkin(capsys, "say", said, *common)
                  for said in ("start our check in", "what's our streak")]
    assert [code for code, _, _ in in_process] == [0, 0], in_process

    def spoken(out: str) -> list[str]:  # the server caches the zone between turns; we do not
        return [line for line in out.splitlines() if not line.startswith("[api]")]

    for (_, out_http, _), (_, out_local, _) in zip(over_http, in_process):
        assert spoken(out_http) == spoken(out_local)
    assert over_http[0][1] == in_process[0][1]  # the first turn, API calls included
    assert "welcome" in over_http[0][1].lower()
    assert "your streak is 1 night" in over_http[1][1].lower()
    # the first turn's time zone lookup reached the local stand-in from the server, too
    assert "[api] GET /v2/devices/" in over_http[0][1]


def test_say_errors_exit_non_zero(cli_env, capsys):
    code, _, err = checkin(capsys, "say", "start our check in", "--url",
                           f"http://127.0.0.1:{free_port()}/")
    assert code == 2 and "cannot reach" in err
    for bad, message in ((("--tz", "Mars/Base"), "unknown time zone 'Mars/Base'"),
                         (("--locale", "it-IT"), "no interaction model for locale 'it-IT'"),
                         (("--at", "tomorrow"), "not a local date and time")):
        with pytest.raises(SystemExit) as exited:
            cli.main(["say", "hello", *bad])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


def test_say_keeps_the_session_in_a_state_file(cli_env, capsys, tmp_path):
    state = str(tmp_path / "state.json")
    args = ("--at", "2026-12-01T21:30", "--state", state)
    code, out, _ = checkin(capsys, "say", "ask our check in to forget us", *args)
    assert code == 0 and "[listening]" in out
    code, out, _ = checkin(capsys, "say", "no", *args)
    assert "kept everything as it is" in out.lower()
    assert json.loads(Path(state).read_text())["session"] is None


def test_chat_holds_a_conversation_and_exit_ends_it(cli_env, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "ask our check in for help\n:tomorrow 21:30\nstart our check in\nhelp\nexit\n"))
    code, out, _ = checkin(capsys, "chat", "--at", "2026-12-01T21:30", "--user", "chat")
    assert code == 0
    assert "alexa> Each night I bring you one question to share" in out
    assert "[heard] SessionEndedRequest (EXCEEDED_MAX_REPROMPTS)" in out  # :tomorrow
    assert "[clock] Wednesday 2 December 2026, 21:30 in America/New_York" in out
    assert "One of you answers while the other listens" in out
    assert out.rstrip().endswith("[session ended]")
    assert "[heard] SessionEndedRequest (USER_INITIATED)" in out


def test_say_state_keeps_the_reminders_the_api_stand_in_holds(cli_env, capsys, tmp_path):
    """Each `say` starts its own API stand-in; the state file brings back the reminder the skill
    created in an earlier run, so cancelling it finds it (not a 404, "already removed")."""
    state = tmp_path / "state.json"
    args = ("--at", "2026-12-01T21:30", "--state", str(state))
    code, out, _ = checkin(capsys, "say", "set a reminder for nine p.m.", *args)
    assert code == 0 and "[directive] Connections.SendRequest AskFor" in out, out
    code, out, _ = checkin(capsys, "say", "yes", *args)
    assert code == 0 and "[api] POST /v1/alerts/reminders" in out, out
    (token,) = json.loads(state.read_text())["standin"]["reminders"]
    code, out, _ = checkin(capsys, "say", "cancel our reminder", *args)
    assert code == 0
    assert f"[api] DELETE /v1/alerts/reminders/{token}" in out
    assert "i've cancelled your nightly reminder" in out.lower(), out
    assert json.loads(state.read_text())["standin"]["reminders"] == {}


@pytest.mark.parametrize("locale, launch", [
    ("en-US", "start our check in"), ("de-DE", "starte zeit für uns"),
    ("fr-FR", "ouvre notre petit moment"), ("es-MX", "abre nuestra charla")])
@pytest.mark.parametrize("word", ["exit", "quit"])
def test_exit_leaves_chat_in_every_language(cli_env, capsys, monkeypatch, locale, launch, word):
    """"exit" is the simulator's own word: it leaves before the locale's phrasing could send it
    to the skill as a one-shot ("frage zeit für uns exit")."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{launch}\n{word}\n"))
    code, out, _ = checkin(capsys, "chat", "--locale", locale, "--at", "2026-12-01T21:30",
                           "--user", f"exit-{locale}")
    assert code == 0
    assert "[heard] LaunchRequest" in out
    after = out.split(f"you> {word}\n", 1)[1]
    heard = [line for line in after.splitlines() if line.startswith("[heard]")]
    assert heard in ([], ["[heard] SessionEndedRequest (USER_INITIATED)"]), out
    assert "alexa>" not in after, out
