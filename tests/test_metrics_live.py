"""/metrics of the service as deployed: a real ``checkin serve`` with 2 gevent workers. The counts
of a mixed run add up across both workers (whichever one answers the scrape), survive a worker's
exit, need the bearer token, and every line the service writes is a JSON object with no raw id."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families

from skill.dev.envelopes import Device, Session, envelope, intent, launch
from skill.dev.ports import free_port

from .conftest import SECRET, SKILL_ID
from .logcheck import text_problems

TOKEN = "live-metrics-token-0123456789abcdef0123"


@pytest.fixture(scope="module")
def served(redis_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("metrics-live")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHECKIN_", "PROMETHEUS_"))}
    # INFO: every request's line names the worker that answered it (_pids_that_answered); at
    # the default, WARNING, only the refused ones would, and a new worker might show none
    env.update(REDIS_URL=redis_server.url, CHECKIN_USER_ID_SECRET=SECRET,
               CHECKIN_METRICS_TOKEN=TOKEN, CHECKIN_LOG_LEVEL="INFO")
    stderr = tmp / "stderr.log"
    with open(stderr, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "skill.cli", "serve", "--no-verify",
                                 "--port", str(port), "--workers", "2"], env=env, cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        _wait_ready(port, proc)
        yield port, proc, stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    text = stderr.read_text()
    assert not text_problems(text), text_problems(text)[:5]
    assert "Traceback" not in text


def _wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "checkin serve exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("checkin serve never became ready")


def _post(port: int, body: bytes) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # a new connection each
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code


def scrape(port: int, token: str | None = TOKEN) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {}
    return 200, {(s.name, tuple(sorted(s.labels.items()))): s.value
                 for f in text_string_to_metric_families(text) for s in f.samples}


MIX = [("launch", 200), ("streak", 200), ("safety", 200), ("not-json", 400)]


def _body(kind: str, n: int) -> bytes:
    if kind == "not-json":
        return b"{this is not json"
    device = Device(skill_id=SKILL_ID, user_id=f"amzn1.ask.account.LIVE{n}",
                    device_id=f"amzn1.ask.device.LIVE{n}")
    request = {"launch": launch(), "streak": intent("StreakIntent"),
               "safety": intent("SafetyIntent")}[kind]
    return json.dumps(envelope(device, request, time.time(), Session())).encode()


def _pids_that_answered(stderr) -> set[int]:
    lines = [json.loads(line) for line in stderr.read_text().splitlines() if line.strip()]
    return {line["pid"] for line in lines if line.get("message") == "request"}


def _send_mix(port: int, stderr, start: int, proc: subprocess.Popen) -> Counter:
    """Rounds of the mix on new connections until every live worker has answered some (at most
    50 rounds); what was sent, by kind."""
    sent: Counter = Counter()
    for n in range(start, start + 50):
        for kind, status in MIX:
            assert _post(port, _body(kind, n)) == status, kind
            sent[kind] += 1
        if n - start >= 2 and _worker_pids(proc) <= _pids_that_answered(stderr):
            return sent
    raise AssertionError("a worker answered nothing")


def _expected(sent: Counter) -> dict[tuple, float]:
    def key(type_, intent_, outcome, le=None):
        labels = {"type": type_, "intent": intent_, "outcome": outcome}
        if le is None:
            return "checkin_request_duration_seconds_count", tuple(sorted(labels.items()))
        return ("checkin_request_duration_seconds_bucket",
                tuple(sorted(dict(labels, le=le).items())))
    return {key("LaunchRequest", "-", "ok"): sent["launch"],
            key("IntentRequest", "StreakIntent", "ok"): sent["streak"],
            key("IntentRequest", "other", "ok"): sent["safety"],
            key("IntentRequest", "other", "ok", "8.0"): sent["safety"],
            key("-", "-", "rejected"): sent["not-json"],
            ("checkin_rejections_total", (("reason", "envelope"),)): sent["not-json"]}


def _assert_counts(port: int, sent: Counter) -> None:
    """Several scrapes (either worker may answer each): every one has the whole run's counts."""
    want = _expected(sent)
    for _ in range(6):
        status, got = scrape(port)
        assert status == 200
        assert {k: got.get(k, 0.0) for k in want} == want
        assert not any("Safety" in str(k) for k in got)


def test_counts_add_up_across_two_workers_and_survive_a_worker_exit(served):
    port, proc, stderr = served
    sent = _send_mix(port, stderr, 0, proc)
    _assert_counts(port, sent)
    first = min(_worker_pids(proc))
    os.kill(first, signal.SIGTERM)  # gunicorn starts another; the first one's counts stay
    deadline = time.monotonic() + 20
    while first in _worker_pids(proc) or len(_worker_pids(proc)) != 2:
        assert time.monotonic() < deadline, "no new worker"
        time.sleep(0.1)
    more = _send_mix(port, stderr, 100, proc)
    _assert_counts(port, sent + more)
    assert len(_pids_that_answered(stderr)) == 3


def _worker_pids(proc: subprocess.Popen) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def test_metrics_need_the_token_on_the_live_port(served):
    port, _, _ = served
    assert scrape(port, token=None)[0] == 401
    assert scrape(port, token="x" * 40)[0] == 403
    assert scrape(port)[0] == 200
