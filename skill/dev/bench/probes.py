"""What the benchmark measures around a load phase besides the generator's own figures: the CPU
time of each process, the machine's other CPU use, and Redis's commands (``MONITOR`` and
``INFO commandstats``)."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections import Counter
from pathlib import Path

from . import BenchError


def cpu_seconds(pids) -> float | None:
    """User + system CPU time of processes so far (Linux /proc), None when unavailable."""
    total = 0
    try:
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return total / tick


def system_busy_seconds() -> float | None:
    """CPU time all processes of the machine have used so far (Linux /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def charge_cpu(groups: dict[str, list[int]], phase) -> dict:
    """Run a load phase (``phase()`` returns its figures) and charge each group of processes'
    CPU time to the phase's requests; the CPU anything else used meanwhile is "other_cpu_s".
    A phase whose generator measured its own CPU returns it as "generator_cpu_s"."""
    before = {k: cpu_seconds(v) for k, v in groups.items()}
    busy_before = system_busy_seconds()
    r = phase()
    busy = system_busy_seconds()
    after = {k: cpu_seconds(v) for k, v in groups.items()}
    n = max(r["requests_sent"], 1)
    used = {k: None if before[k] is None or after[k] is None else after[k] - before[k]
            for k in groups}
    if "generator_cpu_s" in r:  # a generator that measured its own CPU (wrk, a child process)
        used["generator"] = r.pop("generator_cpu_s")
    r["cpu_ms_per_request"] = {k: None if v is None else round(v * 1000 / n, 3)
                               for k, v in used.items()}
    if busy is not None and busy_before is not None and None not in used.values():
        # CPU used by anything else on the machine meanwhile: a noisy neighbour shows here
        r["other_cpu_s"] = round(max(0.0, busy - busy_before - sum(used.values())), 2)
    return r


def noisy(phase: dict) -> bool:
    """Did other processes use more than 5% of one CPU during the phase?"""
    return phase.get("other_cpu_s", 0) > 0.05 * (phase["duration_s"] + phase["warmup_s"])


MONITOR_LINE = re.compile(r'^\+?\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]*)"')


class RedisMonitor:
    """A MONITOR connection, read by a thread, ended by a sentinel ECHO from another client."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"MONITOR\r\n")
        self.buf = b""
        self.lines: list[str] = []
        self.sentinel = f"checkin-bench-sentinel-{os.getpid()}-{time.monotonic_ns()}"
        self.seen = threading.Event()
        first = self._read_line(time.monotonic() + 10)
        if first != "+OK":
            raise BenchError(f"MONITOR answered {first!r}")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read_line(self, deadline: float) -> str | None:
        for _ in range(1_000_000):
            if b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                return line.decode("utf-8", "replace")
            if time.monotonic() > deadline:
                return None
            data = self.sock.recv(262144)
            if not data:
                return None
            self.buf += data
        return None

    def _run(self) -> None:
        deadline = time.monotonic() + 900
        for _ in range(50_000_000):
            try:
                line = self._read_line(deadline)
            except OSError:
                return
            if line is None:
                return
            if self.sentinel in line:
                self.seen.set()
                return
            self.lines.append(line)

    def stop(self, control) -> None:
        control.echo(self.sentinel)
        self.seen.wait(timeout=30)
        self.sock.close()
        self.thread.join(timeout=5)
        if not self.seen.is_set():
            raise BenchError("the MONITOR connection never saw the end of the run")

    def top_level(self) -> Counter:
        """Commands sent by clients (round trips), not those run inside scripts."""
        counts: Counter = Counter()
        for line in self.lines:
            m = MONITOR_LINE.match(line)
            if m and m.group(1) != "lua":
                counts[m.group(2).lower()] += 1
        return counts

    def in_scripts(self) -> Counter:
        counts: Counter = Counter()
        for line in self.lines:
            m = MONITOR_LINE.match(line)
            if m and m.group(1) == "lua":
                counts[m.group(2).lower()] += 1
        return counts


CONTROL_COMMANDS = {"config", "info", "monitor", "echo", "client"}


def command_stats(control) -> Counter:
    stats = control.info("commandstats")
    counts: Counter = Counter()
    for name, value in stats.items():
        command = name.removeprefix("cmdstat_").lower()
        if command.split("|")[0] not in CONTROL_COMMANDS:
            counts[command] += int(value["calls"])
    return counts

