"""The outbound budget (issue 16): a deadline for a whole call however slowly the other end
drips, a cap on calls in flight, a circuit breaker that makes requests use what they know at
once, and certificate-chain URLs that failed fetched at most once a minute."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from skill.dev.envelopes import Device, launch
from skill.outbound import Breaker, Destination, OutboundError, request
from skill.verify import RequestVerifier, fetch_chain

from .conftest import SKILL_ID, CountingFetcher, speech_of


class SlowServer:
    """A loopback HTTP server that hangs (says nothing) or drips its answer a byte at a time."""

    def __init__(self, mode: str, every: float = 0.2):
        self.mode, self.every = mode, every
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v2/devices/d/settings/" \
                   f"System.timeZone"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        answer = b'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n"Europe/London"xx'
        with conn:
            for byte in answer if self.mode == "drip" else ():
                if self._stop.wait(self.every):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
            self._stop.wait(30)


@pytest.mark.parametrize("mode", ["hang", "drip"])
def test_a_whole_call_ends_at_its_deadline(mode):
    with SlowServer(mode) as server:
        started = time.monotonic()
        with pytest.raises(OutboundError, match="within 0.6 s"):
            request("GET", server.url, timeout=0.6)
        assert time.monotonic() - started < 0.9  # a drip every 0.2 s never trips a read timeout


def test_a_chain_download_ends_at_its_deadline():
    with SlowServer("drip") as server:
        started = time.monotonic()
        with pytest.raises(OutboundError):
            fetch_chain(server.url, timeout=0.5)
        assert time.monotonic() - started < 0.8


def test_the_breaker_opens_after_failures_and_a_trial_closes_it():
    now = [0.0]
    breaker = Breaker(failures=3, open_for=30, clock=lambda: now[0])
    for _ in range(3):
        assert breaker.allow()
        breaker.record(False)
    assert not breaker.allow() and breaker.is_open
    now[0] = 31
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record(True)
    assert breaker.allow() and not breaker.is_open


def test_an_open_breaker_makes_no_call_and_a_full_cap_fails_at_once():
    with SlowServer("hang") as server:
        api = Destination("time-zone API", max_in_flight=1, breaker=Breaker(2, 30))
        holder = threading.Thread(target=lambda: pytest.raises(OutboundError, api.call, "GET",
                                                                server.url, timeout=0.8))
        holder.start()
        time.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(OutboundError, match="in flight"):
            api.call("GET", server.url, timeout=0.8)
        assert time.monotonic() - started < 0.05
        holder.join()
        with pytest.raises(OutboundError):
            api.call("GET", server.url, timeout=0.3)
        seen = server.connections
        with pytest.raises(OutboundError, match="circuit open"):
            api.call("GET", server.url, timeout=0.3)
        assert server.connections == seen


def test_a_hanging_time_zone_api_costs_a_request_at_most_the_deadline(make_app, api, clock):
    app = make_app(api_timeout=0.3, breaker_failures=2)
    api.state.delay = 3.0
    client, times = app.test_client(), []
    for n in range(6):
        device = Device(skill_id=SKILL_ID, device_id=f"dev-{n}", user_id=f"user-{n}",
                        api_endpoint=api.url)
        started = time.monotonic()
        r = client.post("/", json=_envelope(device, clock))
        times.append(time.monotonic() - started)
        assert r.status_code == 200 and "<prosody" in speech_of(r.get_json())
    assert max(times) < 0.6
    assert len(api.calls) == 2 and max(times[2:]) < 0.1  # the breaker opened: no more calls


def _envelope(device, clock):
    from skill.dev.envelopes import envelope

    return envelope(device, launch(), clock.now)


def test_while_the_api_fails_a_new_device_uses_the_households_zone(make_app, api, clock):
    from skill.storage import device_id_hash

    from datetime import datetime
    from zoneinfo import ZoneInfo

    # an evening in Tokyo, so the first device's check-in counts and its zone is stored
    clock.now = datetime.now(ZoneInfo("Asia/Tokyo")).replace(hour=21, minute=0).timestamp()
    app = make_app(api_timeout=0.3)
    client = app.test_client()
    first = Device(skill_id=SKILL_ID, device_id="kitchen", api_endpoint=api.url)
    api.state.time_zones["kitchen"] = "Asia/Tokyo"
    client.post("/", json=_envelope(first, clock))
    api.state.fail_next = [503] * 5
    second = Device(skill_id=SKILL_ID, device_id="bedroom", api_endpoint=api.url)
    assert client.post("/", json=_envelope(second, clock)).status_code == 200
    services = app.extensions["checkin"]["services"]
    assert services.zones.get(device_id_hash(b"test-secret-for-hmac", "bedroom")) == "Asia/Tokyo"


def test_a_failed_chain_url_is_fetched_at_most_once_a_minute(ca, clock):
    fetcher = CountingFetcher({})  # every URL fails
    verifier = RequestVerifier(SKILL_ID, roots=[ca.root], fetcher=fetcher, clock=clock)
    headers = {"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/gone.pem",
               "Signature-256": "c2ln"}
    for _ in range(20):
        with pytest.raises(Exception, match="could not be fetched|not fetched again"):
            verifier.verify(headers, b"{}")
    assert len(fetcher.calls) == 1
    clock.now += 59
    pytest.raises(Exception, verifier.verify, headers, b"{}")
    assert len(fetcher.calls) == 1
    clock.now += 2
    pytest.raises(Exception, verifier.verify, headers, b"{}")
    assert len(fetcher.calls) == 2


def test_chain_downloads_in_flight_are_capped(ca, clock):
    release = threading.Event()

    def stuck(url):
        release.wait(5)
        raise OSError("gone")

    verifier = RequestVerifier(SKILL_ID, roots=[ca.root], fetcher=stuck, clock=clock,
                               fetches_in_flight=2)
    holders = [threading.Thread(target=pytest.raises, args=(Exception, verifier.verify, {
        "SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/{n}.pem",
        "Signature-256": "c2ln"}, b"{}")) for n in range(2)]
    for t in holders:
        t.start()
    time.sleep(0.2)
    with pytest.raises(Exception, match="too many certificate chain downloads"):
        verifier.verify({"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/3.pem",
                         "Signature-256": "c2ln"}, b"{}")
    release.set()
    for t in holders:
        t.join()
