"""Every call the service makes to someone else (the Alexa APIs, certificate chains), on a budget.

* A deadline for the whole call: connecting, TLS, sending and reading all end within it, however
  slowly the other end drips (``skill.deadlines``), and the answer's size is capped.
* A cap on calls in flight per process and destination: beyond it a call fails at once instead
  of queueing behind a slow server.
* A circuit breaker per destination: after a few failures in a row (errors, 5xx, 429, deadlines)
  calls fail at once for a while; then one trial call decides whether to close it again.

``requests`` and ``urllib`` cannot bound a whole call (their timeouts are per read), so this is a
small client on ``http.client`` with the socket under our deadline. Each call opens its own
connection: in steady state the service makes no outbound calls at all.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .deadlines import deadline

MAX_ANSWER_BYTES = 256 * 1024


class OutboundError(Exception):
    """A call was not made (breaker open, too many in flight) or did not complete in time.
    ``kind`` says which, in a word a metric can count: ``breaker-open``, ``busy``, ``timeout``,
    ``error`` (refused, reset, not https, an answer too large)."""

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class Breaker:
    """Closed: calls go through. After ``failures`` failures in a row it opens for ``open_for``
    seconds (calls fail at once); then one trial call is let through to close it or reopen it."""

    def __init__(self, failures: int = 3, open_for: float = 30.0, clock=time.monotonic):
        self.failures, self.open_for, self._clock = failures, open_for, clock
        self._streak = 0
        self._open_until = 0.0
        self._trial = False
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._streak >= self.failures

    def allow(self) -> bool:
        with self._lock:
            if self._streak < self.failures:
                return True
            if self._clock() < self._open_until or self._trial:
                return False
            self._trial = True  # half-open: this call decides
            return True

    def release(self) -> None:
        """A trial that was allowed but never made: let the next call be the trial."""
        with self._lock:
            self._trial = False

    def record(self, ok: bool) -> None:
        with self._lock:
            self._trial = False
            if ok:
                self._streak = 0
                return
            self._streak += 1
            if self._streak >= self.failures:
                self._open_until = self._clock() + self.open_for


class Destination:
    """One kind of call (the time-zone API, reminders, chains): its cap and its breaker."""

    def __init__(self, name: str, max_in_flight: int, breaker: Breaker | None):
        self.name = name
        self.breaker = breaker
        self._slots = threading.BoundedSemaphore(max_in_flight)

    def call(self, method: str, url: str, *, timeout: float, headers: dict | None = None,
             body: bytes | None = None, max_bytes: int = MAX_ANSWER_BYTES,
             failed=lambda answer: answer.status >= 500 or answer.status == 429) -> Answer:
        if self.breaker is not None and not self.breaker.allow():
            raise OutboundError(f"{self.name}: circuit open after repeated failures",
                                "breaker-open")
        if not self._slots.acquire(blocking=False):
            if self.breaker is not None:
                self.breaker.release()
            raise OutboundError(f"{self.name}: too many calls in flight", "busy")
        ok = False
        try:
            answer = request(method, url, timeout=timeout, headers=headers, body=body,
                             max_bytes=max_bytes)
            ok = not failed(answer)
            return answer
        finally:
            self._slots.release()
            if self.breaker is not None:
                self.breaker.record(ok)


_TLS: ssl.SSLContext | None = None


def _tls() -> ssl.SSLContext:
    global _TLS
    if _TLS is None:
        import certifi

        _TLS = ssl.create_default_context(cafile=certifi.where())
    return _TLS


def request(method: str, url: str, *, timeout: float, headers: dict | None = None,
            body: bytes | None = None, max_bytes: int = MAX_ANSWER_BYTES) -> Answer:
    """One HTTP call, all of it within ``timeout`` seconds. https, or http to loopback only."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    if not (secure or (parts.scheme == "http" and is_loopback(parts.hostname))):
        raise OutboundError("calls go over https (plain http to loopback only)")
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with deadline(timeout) as d:
        try:
            sock = socket.create_connection((host, port), timeout=d.remaining())
            d.watch(sock)
            conn: http.client.HTTPConnection
            if secure:
                sock = _tls().wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
                d.watch(sock)
                sock.settimeout(d.remaining())
                sock.do_handshake()
                conn = http.client.HTTPSConnection(host, port)
            else:
                conn = http.client.HTTPConnection(host, port)
            conn.sock = sock  # already connected: http.client only sends and reads
            try:
                conn.request(method, target, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read(max_bytes + 1)
            finally:
                conn.close()
        except (OSError, http.client.HTTPException, ValueError) as e:
            if d.expired:
                raise OutboundError(f"no complete answer within {timeout:g} s", "timeout") from None
            raise OutboundError(f"call failed: {type(e).__name__}",
                                "timeout" if isinstance(e, TimeoutError) else "error") from None
        if d.expired:
            raise OutboundError(f"no complete answer within {timeout:g} s", "timeout")
    if len(data) > max_bytes:
        raise OutboundError(f"answer larger than {max_bytes} bytes")
    return Answer(response.status, response.getheaders(), data)
