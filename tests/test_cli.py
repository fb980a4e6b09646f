"""The command line: clear one-line errors, and `checkin serve` on the embedded store."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from skill.dev.envelopes import Device, Session, envelope, launch

from skill.dev.ports import free_port

from .logcheck import FORMATTER, request_lines, text_problems

CHECKIN = [sys.executable, "-m", "skill.cli"]
ROOT = Path(__file__).resolve().parents[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any of the service's own settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHECKIN_", "ALEXA_", "REDIS_URL"))}
    env.update(extra)
    return env


def serve(tmp_path, port: int, output=subprocess.PIPE) -> subprocess.Popen:
    """`checkin serve --no-verify` with 2 workers on the embedded store in tmp_path/data."""
    return subprocess.Popen(CHECKIN + ["serve", "--no-verify", "--port", str(port),
                                       "--workers", "2"],
                            stdout=output, stderr=output, text=True,
                            env=clean_env(CHECKIN_DATA_DIR=str(tmp_path / "data")), cwd=ROOT)


def run(args, env=None, timeout=30):
    full_env = clean_env(**(env or {}))
    return subprocess.run(CHECKIN + args, capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=ROOT)


@pytest.mark.parametrize("args,fragment", [
    (["serve", "--port", "eighty"], "port must be a number"),
    (["serve", "--port", "70000"], "port must be between 1 and 65535"),
    (["serve", "--workers", "0"], "workers must be between 1 and 64"),
    (["faults", "--duration", "0.5"], "duration must be between 1 and 60, not 0.5"),
    (["faults", "--duration", "soon"], "duration must be a number, not 'soon'"),
    (["faults", "--workers", "9"], "workers must be between 1 and 8"),
    (["serve", "--colour"], "unrecognized arguments: --colour"),
    (["dance"], "invalid choice"),
])
def test_bad_flags(args, fragment):
    result = run(args)
    assert result.returncode == 2
    assert fragment in result.stderr


def test_missing_skill_id_in_verified_mode(tmp_path):
    result = run(["serve", "--port", str(free_port())], env={"CHECKIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("checkin: error: ALEXA_SKILL_ID is not set")


def test_bad_setting_is_named(tmp_path):
    result = run(["serve", "--no-verify"], env={"CHECKIN_DEFAULT_TIMEZONE": "Mars/Olympus",
                                                "CHECKIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "CHECKIN_DEFAULT_TIMEZONE 'Mars/Olympus' is not a known time zone" in result.stderr


def test_port_in_use(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = run(["serve", "--no-verify", "--port", str(port)],
                     env={"CHECKIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def _wait(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_serve_on_the_embedded_store_and_stop(tmp_path):
    port = free_port()
    proc = serve(tmp_path, port)
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
        _wait(f"http://127.0.0.1:{port}/readyz")
        body = json.dumps(envelope(Device(), launch(), time.time(), Session())).encode()
        reply = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/", data=body), timeout=5).read())
        assert "<prosody" in reply["response"]["outputSpeech"]["ssml"]
        socket_file = Path((tmp_path / "data" / "redis.url").read_text().strip()
                           .removeprefix("unix://"))
        assert socket_file.exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert not out and not text_problems(err), (out, text_problems(err)[:3])
    messages = [json.loads(line)["message"] for line in err.splitlines()]
    first = messages[0]
    assert f"listening on http://127.0.0.1:{port}/" in first
    assert "store: embedded Redis at unix://" in first
    assert any("verification is OFF" in m for m in messages)
    assert any(m.startswith("Booting worker") for m in messages)  # gunicorn's own, as JSON
    assert not socket_file.exists(), "the embedded store stops with the service"
    assert (tmp_path / "data" / "appendonly.aof").exists(), "data persisted on disk"


def test_request_log_line_has_no_identifiers(alexa, caplog):
    alexa.device.user_id = "amzn1.ask.account.SECRET-USER"
    alexa.device.device_id = "amzn1.ask.device.SECRET-DEVICE"
    alexa.device.api_access_token = "SECRET-TOKEN"
    with caplog.at_level(logging.INFO, logger="checkin"):
        alexa.send(launch())
    lines = request_lines(caplog.records)
    assert len(lines) == 1
    entry = lines[0]
    assert entry["type"] == "LaunchRequest" and entry["outcome"] == "ok"
    assert entry["status"] == 200 and entry["intent"] == "-"
    assert entry["request_id"].startswith("amzn1.echo-api.request.")
    assert re.fullmatch(r"[0-9a-f]{12}", entry["household"])
    assert isinstance(entry["latency_ms"], float)
    everything = caplog.text + "".join(FORMATTER.format(r) for r in caplog.records)
    assert "SECRET" not in everything


def test_a_worker_exit_leaves_the_embedded_store_alone(tmp_path):
    """Workers inherit the master's embedded store object and its atexit hook."""
    port = free_port()
    proc = serve(tmp_path, port, output=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/readyz")
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        workers = [int(pid) for pid in children
                   if "gunicorn" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
                   or "skill.cli" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
        assert workers, children
        os.kill(workers[0], signal.SIGTERM)  # a worker exits; gunicorn starts another
        time.sleep(1.5)
        for _ in range(5):
            status = urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5).status
            assert status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


def test_bad_port_in_the_environment(tmp_path):
    result = run(["serve", "--no-verify"], env={"PORT": "abc", "CHECKIN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "port must be a number, not 'abc'" in result.stderr
    assert run(["config"], env={"PORT": "abc"}).returncode == 0
