"""What the README promises of the embedded store: every check-in the service has answered
survives `kill -9` of the whole service, master, workers and redis-server at once. The store
appends each write to its AOF (appendonly yes) before it replies; the kernel keeps what was
written when the processes die. (`appendfsync everysec` bounds a power cut or kernel crash to
about the last second, which no test here can cut.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import redis as redis_py

from skill.dev.envelopes import Device, Session, envelope, launch
from skill.dev.ports import free_port
from skill.embedded import URL_FILE, local_secret
from skill.storage import Store, household_id

from .test_cli import serve

NIGHTS = 30  # one household checks in on 30 nights running
OTHERS = 20  # and 20 more households once, on the last night
ZONE = ZoneInfo("America/New_York")  # the default zone: the envelopes name no API endpoint


def _evening(day: int) -> float:
    return datetime(2026, 11, day, 21, 30, tzinfo=ZONE).timestamp()


def _check_in(port: int, user: str, ts: float) -> None:
    device = Device(user_id=f"amzn1.ask.account.{user}", device_id=f"amzn1.ask.device.{user}")
    body = json.dumps(envelope(device, launch(), ts, Session())).encode()
    reply = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=body),
                                   timeout=10)
    assert reply.status == 200
    assert json.loads(reply.read())["response"]["outputSpeech"]["ssml"]


def _wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the service never became ready")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_everything(proc: subprocess.Popen) -> list[int]:
    """SIGKILL the master, its workers and its redis-server, all at once."""
    children = [int(pid) for pid in subprocess.run(
        ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()]
    names = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children}
    assert any(b"redis-server" in name for name in names.values()), names
    assert len(children) >= 3, "two workers and the store"
    for pid in [proc.pid, *children]:
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)
    return children


def test_every_answered_check_in_survives_kill_9_of_the_whole_service(tmp_path):
    port = free_port()
    proc = serve(tmp_path, port, output=subprocess.DEVNULL)
    try:
        _wait_ready(port)
        for day in range(1, NIGHTS + 1):
            _check_in(port, "durable-household", _evening(day))
        for n in range(OTHERS):
            _check_in(port, f"household-{n}", _evening(NIGHTS))
        _kill_everything(proc)  # right after the last answer: no time for an fsync
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    data = tmp_path / "data"
    secret = local_secret(data)
    proc = serve(tmp_path, port, output=subprocess.DEVNULL)
    try:
        _wait_ready(port)
        client = redis_py.Redis.from_url((data / URL_FILE).read_text().strip())
        store = Store(client)
        durable = store.status(household_id(secret, "amzn1.ask.account.durable-household"))
        assert (durable.streak, durable.longest, durable.total) == (NIGHTS, NIGHTS, NIGHTS)
        others = [store.status(household_id(secret, f"amzn1.ask.account.household-{n}")).total
                  for n in range(OTHERS)]
        assert others == [1] * OTHERS
        # the policy the README states, as the store runs it
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
        client.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
