"""Slow clients: connections that say nothing, trickle their headers, or trickle their body.

Kept open for a bounded time by one thread with a selector: a byte every ``every`` seconds on
each trickling connection, and a connection the server closed is opened again, so the service
faces ``count`` slow connections the whole time.
"""

from __future__ import annotations

import itertools
import selectors
import socket
import threading
import time

KINDS = ("silent", "headers", "body")
_HEADERS = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
_BODY_HEAD = _HEADERS + b"Content-Length: 100000\r\n\r\n"
MAX_STEPS = 100_000  # a bound on the loop besides its time limit


class SlowClients:
    """``count`` slow connections to ``port``, a third of each kind, until ``stop()``."""

    def __init__(self, port: int, count: int = 200, every: float = 0.5, limit_s: float = 120.0):
        self.port, self.count, self.every, self.limit_s = port, count, every, limit_s
        self.opened = self.closed_by_server = 0
        self._sel = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def __enter__(self) -> SlowClients:
        kinds = itertools.islice(itertools.cycle(KINDS), self.count)
        for kind in kinds:
            self._open(kind)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        for key in list(self._sel.get_map().values()):
            self._sel.unregister(key.fileobj)
            key.fileobj.close()

    def _open(self, kind: str) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return
        sock.setblocking(False)
        self.opened += 1
        # what each kind has sent so far: nothing, a start of headers, all headers and no body
        start = {"silent": b"", "headers": _HEADERS[:20], "body": _BODY_HEAD}[kind]
        if start:
            try:
                sock.send(start)
            except OSError:
                pass
        self._sel.register(sock, selectors.EVENT_READ, kind)

    def _run(self) -> None:
        ends = time.monotonic() + self.limit_s
        next_drip = time.monotonic() + self.every
        for _ in range(MAX_STEPS):
            if self._stop.is_set() or time.monotonic() > ends:
                return
            for key, _ in self._sel.select(timeout=max(next_drip - time.monotonic(), 0.01)):
                self._reopen_if_closed(key)
            if time.monotonic() >= next_drip:
                next_drip += self.every
                self._drip()

    def _reopen_if_closed(self, key) -> None:
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data or data.startswith(b"HTTP/"):  # closed, or answered (408 for a late body)
            self.closed_by_server += 1
            self._sel.unregister(key.fileobj)
            key.fileobj.close()
            if not self._stop.is_set():
                self._open(key.data)

    def _drip(self) -> None:
        for key in list(self._sel.get_map().values()):
            if key.data == "silent":
                continue
            byte = b"X" if key.data == "headers" else b" "
            try:
                key.fileobj.send(byte)
            except OSError:
                pass

    @property
    def open_now(self) -> int:
        return len(self._sel.get_map())
