"""The service as deployed (``checkin serve``: gunicorn with the production settings) over real
sockets (issue 16): slow clients hold no worker, headers and bodies have deadlines, chunked
framing gets clear answers, and a hanging Alexa API costs a request at most its deadline.
Longer and heavier runs of the same faults are ``checkin faults``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from skill.dev.envelopes import Device, envelope, launch
from skill.dev.faults.slow import SlowClients
from skill.dev.ports import free_port

from .conftest import SECRET, SKILL_ID
from .logcheck import text_problems


@pytest.fixture(scope="module")
def server(redis_server, alexa_api, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    env = dict(os.environ, REDIS_URL=redis_server.url, CHECKIN_USER_ID_SECRET=SECRET,
               CHECKIN_DATA_DIR=str(tmp / "data"), CHECKIN_BODY_TIMEOUT_MS="1000",
               CHECKIN_MAX_BODY_BYTES="4096", CHECKIN_ALEXA_API_TIMEOUT_MS="300")
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "skill.cli", "serve", "--no-verify",
                             "--port", str(port), "--workers", "1"], env=env, cwd=tmp,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail((tmp / "serve.log").read_text())
    _exchange(port, _launch(alexa_api, "live-warm-up"))  # a worker's first request loads content
    yield port, tmp / "serve.log"
    proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
    proc.wait(15)
    log.close()
    text = (tmp / "serve.log").read_text()
    assert "Traceback" not in text
    assert not text_problems(text), text_problems(text)[:5]  # every line JSON, no raw id


def _exchange(port: int, raw: bytes, timeout: float = 5.0) -> tuple[int, dict, float]:
    """Send ``raw`` on a new connection: (status, JSON body or {}, seconds to the answer)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.startswith(b"{") else {}, time.monotonic() - started


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def _launch(api, device: str) -> bytes:
    body = json.dumps(envelope(Device(skill_id=SKILL_ID, device_id=f"amzn1.ask.device.{device}",
                                      user_id=f"amzn1.ask.account.{device}",
                                      api_endpoint=api.url), launch(), time.time())).encode()
    return (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def test_200_slow_connections_hold_no_worker_and_headers_have_a_deadline(server, api):
    port, _ = server
    with socket.create_connection(("127.0.0.1", port)) as silent:
        opened = time.monotonic()
        with SlowClients(port, 200, every=0.3, limit_s=20) as slow:
            time.sleep(0.5)
            status, data, took = _exchange(port, _launch(api, "live-slow"))
            assert status == 200 and "<prosody" in data["response"]["outputSpeech"]["ssml"]
            assert took < 1.0 and slow.open_now >= 150
        silent.settimeout(8)
        assert silent.recv(1) == b""  # closed by the server: the keep-alive time bounds headers
        assert 3 < time.monotonic() - opened < 7.5


def test_a_trickled_body_gets_408_at_its_deadline(server):
    port, _ = server
    raw = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"version\""
    status, data, took = _exchange(port, raw)
    assert status == 408 and "not received within 1 s" in data["reason"] and took < 2


def test_a_chunked_body_over_the_limit_is_413(server):
    port, _ = server
    chunk = b"x" * 2000
    raw = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + \
        b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    status, data, _ = _exchange(port, raw)
    assert status == 413 and data["error"] == "request_entity_too_large"


@pytest.mark.parametrize("body", [b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n"])
def test_malformed_chunks_get_400_with_a_reason(server, body):
    port, log_path = server
    raw = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    status, data, _ = _exchange(port, raw)
    assert status == 400 and "malformed request body framing" in data["reason"]
    assert "Traceback" not in log_path.read_text()


def test_a_hanging_time_zone_api_costs_at_most_the_deadline_under_gevent(server, api):
    port, _ = server
    api.state.delay = 5.0
    try:
        for n in range(5):
            status, _, took = _exchange(port, _launch(api, f"live-hang-{n}"))
            assert status == 200 and took < 0.8
    finally:
        api.state.delay = 0.0
