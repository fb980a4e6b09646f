"""Deadlines for a whole exchange on a socket, however slowly the other end drips.

A socket timeout bounds one read: a peer that sends a byte just inside it holds the call for as
long as it likes (a 1 s timeout and a byte every 0.9 s held requests 13 s). A ``Deadline`` instead
shuts the socket down when the time for the whole exchange is up, which wakes a read blocked in
any thread (or greenlet, under gevent's workers) with an error. Under gevent's workers each
deadline is a timer of gevent's own loop; elsewhere (tests, the simulator, a threaded server)
one watcher thread per process keeps every open deadline in a heap. Either way arming one costs
a timer or a heap push, not a thread.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Deadline:
    """The end of one exchange. ``watch`` a socket and it is shut down at the end; ``expired``
    says whether that happened."""

    __slots__ = ("at", "expired", "done", "_sock", "_how", "_lock")

    def __init__(self, at: float):
        self.at = at
        self.expired = False
        self.done = False
        self._sock: socket.socket | None = None
        self._how = socket.SHUT_RDWR
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left (never below a millisecond, so it can be a socket timeout)."""
        return max(self.at - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
        """Shut ``sock`` down (``how``: SHUT_RD keeps it writable for an answer) at the end."""
        with self._lock:
            self._sock, self._how = sock, how
            expired = self.expired
        if expired:
            shut_down(sock, how)

    def _expire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.expired = True
            sock, how = self._sock, self._how
        if sock is not None:
            shut_down(sock, how)

    def _finish(self) -> None:
        with self._lock:
            self.done = True
            self._sock = None


def shut_down(sock: socket.socket, how: int) -> None:
    """Shut a socket down, waking whoever reads it; nothing if it is already gone."""
    try:
        # socket.socket's own method (gevent's, when patched: it also wakes the waiting
        # greenlet); ssl.SSLSocket.shutdown would drop its TLS state under a reading thread
        socket.socket.shutdown(sock, how)
    except OSError:
        pass  # already closed or never connected: nothing left to wake


class _Watcher:
    """One thread per process that ends the deadlines in time order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._count = itertools.count()
        self._cond = threading.Condition(threading.Lock())
        self._pid: int | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            if self._pid != os.getpid():  # first use in this process (or after a fork)
                self._pid = os.getpid()
                self._heap.clear()
                threading.Thread(target=self._run, name="deadlines", daemon=True).start()
            earliest = not self._heap or deadline.at < self._heap[0][0]
            heapq.heappush(self._heap, (deadline.at, next(self._count), deadline))
            if earliest:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][2].done:
                    if self._heap:
                        heapq.heappop(self._heap)  # finished in time: drop it
                    else:
                        self._cond.wait()
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                due = heapq.heappop(self._heap)[2]
            due._expire()


_WATCHER = _Watcher()


def _gevent_loop():
    """gevent's event loop when this process runs under gevent's patches, else None."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("socket"):
        return None
    from gevent import get_hub

    return get_hub().loop


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """``with deadline(2.0) as d: d.watch(sock); ...``: the block's socket work ends in time."""
    d = Deadline(time.monotonic() + seconds)
    loop = _gevent_loop()
    if loop is not None:  # a timer of gevent's loop: no thread, no lock handed between them
        timer = loop.timer(seconds)
        timer.start(d._expire)
        try:
            yield d
        finally:
            d._finish()
            timer.close()
        return
    _WATCHER.add(d)
    try:
        yield d
    finally:
        d._finish()
