"""The load generator's loops: many keep-alive connections in one thread, spread over the workers.

``closed_loop`` measures saturation (each connection sends again as soon as it is answered);
``open_loop`` offers a fixed load and measures latency from each request's scheduled send time.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections import Counter, deque

from . import BenchError
from .apps import WORKER_HEADER
from .wire import RAW_HEALTHZ, Client, parse_response

MAX_LOOP_ITERATIONS = 20_000_000  # a bound on every event loop besides its time limit


class _Conn:
    """One non-blocking keep-alive connection of the load generator."""

    __slots__ = ("sock", "buf", "out", "sched", "sent", "done", "busy")

    def __init__(self, port: int, sock: socket.socket | None = None):
        self.sock = sock or socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.out = b""
        self.sched = self.sent = self.done = 0.0
        self.busy = False

    def send(self, raw: bytes, sched: float) -> None:
        self.sched, self.sent, self.busy = sched, time.perf_counter(), True
        self.out = raw
        self.flush()

    def flush(self) -> None:
        try:
            n = self.sock.send(self.out)
        except BlockingIOError:
            return
        self.out = self.out[n:]


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None,
                "mean_ms": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {"count": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(ordered[-1] * 1000, 2),
            "mean_ms": round(sum(ordered) / len(ordered) * 1000, 2)}


class _Loop:
    """The generator's event loop: many connections, one thread, no GIL shared with a server."""

    def __init__(self, port: int, reqs: list[tuple[str, bytes]]):
        self.port, self.reqs = port, reqs
        self.sel = selectors.DefaultSelector()
        self.next = 0
        self.conns = self.opened = self.peak = 0
        self.statuses: Counter = Counter()
        self.by_worker: Counter = Counter()
        self.errors: Counter = Counter()
        self.requests_sent = 0

    def open(self, sock: socket.socket | None = None) -> _Conn:
        c = _Conn(self.port, sock)
        self.sel.register(c.sock, selectors.EVENT_READ, c)
        self.conns += 1
        self.opened += 1
        self.peak = max(self.peak, self.conns)
        return c

    def drop(self, c: _Conn) -> None:
        self.sel.unregister(c.sock)
        c.sock.close()
        self.conns -= 1

    def send(self, c: _Conn, sched: float) -> None:
        c.send(self.reqs[self.next % len(self.reqs)][1], sched)
        self.next += 1
        self.requests_sent += 1
        if c.out:
            self.sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    def events(self, timeout: float):
        """Yield (conn, status) for each response, (conn, None) for a connection the server
        closed (already dropped)."""
        for key, mask in self.sel.select(timeout):
            c: _Conn = key.data
            if mask & selectors.EVENT_WRITE:
                c.flush()
                if not c.out:
                    self.sel.modify(c.sock, selectors.EVENT_READ, c)
            if not mask & selectors.EVENT_READ:
                continue
            try:
                data = c.sock.recv(262144)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                if c.busy:
                    self.errors["connection closed"] += 1
                self.drop(c)
                yield c, None
                continue
            c.buf += data
            parsed = parse_response(c.buf)
            if parsed is None:
                continue
            c.done = time.perf_counter()
            status, headers, _ = parsed
            c.busy = False
            self.statuses[status] += 1
            self.by_worker[headers.get(WORKER_HEADER, "?")] += 1
            if status != 200:
                self.errors[f"HTTP {status}"] += 1
            if headers.get("connection", "").lower() == "close":
                self.drop(c)
                yield c, status
                yield c, None
                continue
            yield c, status

    def close(self) -> None:
        for key in list(self.sel.get_map().values()):
            key.data.sock.close()
        self.sel.close()


def balanced_sockets(port: int, count: int, workers: int) -> tuple[list[socket.socket], dict]:
    """``count`` keep-alive connections spread evenly over the workers.

    A connection stays with the worker that accepted it, and with gunicorn an idle worker often
    accepts a burst of new connections by itself, leaving the others idle: saturation would then
    measure one worker. A load balancer in front of many connections spreads them; so do we."""
    per_worker = -(-count // workers)
    taken: Counter = Counter()
    chosen: list[socket.socket] = []
    rejected: list[Client] = []
    try:
        for _ in range(40 * count):
            if len(chosen) >= count:
                break
            client = Client(port)
            _, headers, _ = client.request(RAW_HEALTHZ)
            pid = headers.get(WORKER_HEADER, "?")
            if taken[pid] < per_worker:
                taken[pid] += 1
                chosen.append(client.sock)
            else:
                rejected.append(client)
    finally:
        for client in rejected:
            client.close()
    for _ in range(count - len(chosen)):  # could not balance: take what comes
        chosen.append(Client(port).sock)
        taken["unbalanced"] += 1
    return chosen, dict(taken)


def closed_loop(port: int, reqs: list[tuple[str, bytes]], *, duration: float, warmup: float,
                connections: int, workers: int = 1) -> dict:
    """Saturation: every connection sends its next request as soon as the last one is answered."""
    loop = _Loop(port, reqs)
    socks, spread = balanced_sockets(port, connections, workers)
    start = time.perf_counter()
    measure_from, measure_to = start + warmup, start + warmup + duration
    deadline = measure_to + 15
    latencies: list[float] = []
    for sock in socks:
        loop.send(loop.open(sock), time.perf_counter())
    try:
        for _ in range(MAX_LOOP_ITERATIONS):
            if loop.conns == 0 or time.perf_counter() > deadline:
                break
            for c, status in list(loop.events(0.1)):
                now = time.perf_counter()
                if status is None:  # closed by the server: replace it while the phase runs
                    if now < measure_to:
                        loop.send(loop.open(), now)
                    continue
                if measure_from <= c.done <= measure_to:
                    latencies.append(c.done - c.sent)
                if now < measure_to:
                    if c.sock.fileno() >= 0:
                        loop.send(c, now)
                elif c.sock.fileno() >= 0:
                    loop.drop(c)
        unfinished = loop.conns
    finally:
        loop.close()
    if unfinished:
        loop.errors["unanswered at the deadline"] += unfinished
    stats = percentiles(latencies)
    return {"requests_per_s": round(len(latencies) / duration, 1), "duration_s": duration,
            "warmup_s": warmup, "connections": connections, "connections_by_worker": spread,
            "latency": stats, "requests_sent": loop.requests_sent,
            "requests_by_worker": dict(loop.by_worker), "statuses": dict(loop.statuses),
            "errors": dict(loop.errors)}


def open_loop(port: int, reqs: list[tuple[str, bytes]], *, rate: float, duration: float,
              warmup: float, max_connections: int = 64) -> dict:
    """Fixed offered load: request i is due at start + i/rate whatever happened before; latency
    runs from that due time (no coordinated omission), so queueing anywhere is counted."""
    loop = _Loop(port, reqs)
    interval = 1.0 / rate
    total = int(round(rate * (warmup + duration)))
    idle: deque[_Conn] = deque(loop.open() for _ in range(min(8, max_connections)))
    start = time.perf_counter() + 0.05
    measure_from = start + warmup
    deadline = start + warmup + duration + 15
    backlog: deque[float] = deque()
    due = 0
    outstanding = 0
    latencies: list[float] = []
    lags: list[float] = []
    try:
        for _ in range(MAX_LOOP_ITERATIONS):
            now = time.perf_counter()
            if now > deadline or (due >= total and not backlog and outstanding == 0):
                break
            while due < total and start + due * interval <= now:
                backlog.append(start + due * interval)
                due += 1
            while backlog and (idle or loop.conns < max_connections):
                c = idle.popleft() if idle else loop.open()
                sched = backlog.popleft()
                loop.send(c, sched)
                outstanding += 1
                if sched >= measure_from:
                    lags.append(c.sent - sched)
            wait = 0.05 if due >= total else max(0.0, min(0.05, start + due * interval - now))
            for c, status in list(loop.events(wait)):
                if status is None:  # closed by the server (busy: its request is lost)
                    if c.busy:
                        outstanding -= 1
                    elif c in idle:
                        idle.remove(c)
                    continue
                outstanding -= 1
                if c.sched >= measure_from:
                    latencies.append(c.done - c.sched)
                if c.sock.fileno() >= 0:
                    idle.append(c)
    finally:
        loop.close()
    if outstanding or backlog or due < total:
        loop.errors["unanswered at the deadline"] += outstanding + len(backlog) + total - due
    stats = percentiles(latencies)
    return {"offered_rps": rate, "achieved_rps": round(len(latencies) / duration, 1),
            "duration_s": duration, "warmup_s": warmup, "latency": stats,
            "send_lag": percentiles(lags), "connections_peak": loop.peak,
            "requests_sent": loop.requests_sent, "requests_by_worker": dict(loop.by_worker),
            "statuses": dict(loop.statuses),
            "errors": dict(loop.errors)}


def pin_connections(port: int, workers: int, per_worker: int, attempts: int = 400
                    ) -> dict[str, list[Client]]:
    """Keep-alive connections to every worker (a connection stays with the worker that took it)."""
    pinned: dict[str, list[Client]] = {}
    try:
        for _ in range(attempts):
            if len(pinned) == workers and all(len(v) >= per_worker for v in pinned.values()):
                break
            c = Client(port)
            status, headers, _ = c.request(RAW_HEALTHZ)
            pid = headers.get(WORKER_HEADER, "?")
            if status == 200 and len(pinned.setdefault(pid, [])) < per_worker:
                pinned[pid].append(c)
            else:
                c.close()
    except BaseException:
        for conns in pinned.values():
            for c in conns:
                c.close()
        raise
    if len(pinned) < workers:
        for conns in pinned.values():
            for c in conns:
                c.close()
        raise BenchError(f"reached {len(pinned)} of {workers} workers in {attempts} connections")
    return pinned
