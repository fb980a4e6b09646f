"""Saturation driven by ``wrk``, a load generator in C whose own CPU is a small share of a
request's, so it takes little of the two CPUs the servers share with it.

A pool of pre-signed requests is written to a file (each raw HTTP request after its length in
bytes and a newline); ``WRK_SCRIPT`` (Lua, run by wrk) loads it once per wrk thread and sends
the requests round robin, each thread from its own starting point. It counts answers by status
and by the worker that answered (the ``X-Bench-Worker`` header), and prints one JSON line at the
end, after ``WRK_MARK``. wrk is optional (Debian: ``apt-get install wrk``): without it the
benchmark's Python generator runs saturation, and the report says which one ran.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import resource
from pathlib import Path

from . import BenchError

WRK_MARK = "CHECKIN-BENCH-WRK "

WRK_SCRIPT = r"""
-- written by `checkin bench` (skill/dev/bench/wrkload.py): pre-signed requests, round robin
local pool_path = os.getenv("CHECKIN_BENCH_POOL")
local threads, next_id = {}, 0
reqs, n, i, by_worker, by_status = {}, 0, 0, {}, {}

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(pool_path, "rb"))
  local data = f:read("*a")
  f:close()
  local pos = 1
  while pos <= #data do
    local nl = data:find("\n", pos, true)
    local len = tonumber(data:sub(pos, nl - 1))
    reqs[#reqs + 1] = data:sub(nl + 1, nl + len)
    pos = nl + 1 + len
  end
  n = #reqs
  i = (thread_id * 7919) % n
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end

function response(status, headers, body)
  local w = headers["X-Bench-Worker"] or "?"
  by_worker[w] = (by_worker[w] or 0) + 1
  local s = tostring(status)
  by_status[s] = (by_status[s] or 0) + 1
end

local function merge(into, name, thread)
  for k, v in pairs(thread:get(name)) do into[k] = (into[k] or 0) + v end
end

local function object(t)
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = string.format("%q: %d", k, v) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local workers, statuses = {}, {}
  for _, thread in ipairs(threads) do
    merge(workers, "by_worker", thread)
    merge(statuses, "by_status", thread)
  end
  local e = summary.errors
  io.write(string.format(
    "CHECKIN-BENCH-WRK {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p99_us\": %d, " ..
    "\"max_us\": %d, \"mean_us\": %.1f, \"connect\": %d, \"read\": %d, \"write\": %d, " ..
    "\"timeout\": %d, \"by_worker\": %s, \"by_status\": %s}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.timeout,
    object(workers), object(statuses)))
end
"""


def find_wrk() -> str | None:
    return shutil.which("wrk")


def write_pool(path: Path, raws: list[bytes]) -> None:
    """The pool file the script reads: each raw request after its length and a newline."""
    with open(path, "wb") as f:
        for raw in raws:
            f.write(b"%d\n" % len(raw))
            f.write(raw)


def write_script(directory: Path) -> Path:
    path = directory / "checkin-bench.lua"
    path.write_text(WRK_SCRIPT)
    return path


def run_wrk(port: int, pool: Path, script: Path, *, duration: float, connections: int,
            threads: int = 1) -> dict:
    """Saturation through wrk. The result has the Python generator's keys, and wrk's own CPU
    time as ``generator_cpu_s`` (``probes.charge_cpu`` charges it to the generator)."""
    duration = whole_seconds(duration)
    r, cpu_s = _wrk(port, pool, script, duration, connections, threads)
    measured_s = r["duration_us"] / 1e6
    errors = {k: r[k] for k in ("connect", "read", "write", "timeout") if r[k]}
    bad = {s: c for s, c in r["by_status"].items() if s != "200"}
    errors.update({f"HTTP {s}": c for s, c in bad.items()})
    return {
        "requests_per_s": round(r["requests"] / measured_s, 1), "duration_s": duration,
        "warmup_s": 0, "connections": connections, "generator": "wrk",
        "latency": {"count": r["requests"], "p50_ms": r["p50_us"] / 1000,
                    "p99_ms": r["p99_us"] / 1000, "max_ms": r["max_us"] / 1000,
                    "mean_ms": round(r["mean_us"] / 1000, 3)},
        "requests_sent": r["requests"], "requests_by_worker": r["by_worker"],
        "statuses": r["by_status"], "errors": errors, "generator_cpu_s": cpu_s,
    }


def whole_seconds(seconds: float) -> int:
    """wrk's -d takes whole seconds."""
    return max(1, round(seconds))


def _wrk(port: int, pool: Path, script: Path, seconds: int, connections: int,
         threads: int) -> tuple[dict, float]:
    """One wrk run: its JSON line and its own CPU seconds (user + system)."""
    wrk = find_wrk()
    if wrk is None:
        raise BenchError("wrk is not installed (apt-get install wrk), use --generator python")
    cmd = [wrk, "-t", str(threads), "-c", str(max(connections, threads)), "-d", f"{seconds}s",
           "--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}/"]
    env = dict(os.environ, CHECKIN_BENCH_POOL=str(pool))
    # wrk's CPU: what the children this process reaped used meanwhile (the servers and the
    # Python generator run on, unreaped, so wrk is the only one)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        stdout, stderr = proc.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise BenchError(f"wrk did not finish within {seconds + 60} s") from None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 4)
    for line in stdout.decode(errors="replace").splitlines():
        if line.startswith(WRK_MARK):
            return json.loads(line[len(WRK_MARK):]), cpu_s
    raise BenchError(f"wrk exited with {proc.returncode} and no result: "
                     f"{stderr.decode(errors='replace')[-500:]}")
