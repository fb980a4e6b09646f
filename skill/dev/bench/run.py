"""One benchmark run: start the stack, run the phases in order, collect what the servers
recorded, judge, stop everything, and write the results."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from . import BenchError
from .apps import USUAL_API_HEADER
from .machine import machine
from .options import BenchOptions
from .phases import Phases
from .report import checks, notes, targets
from .servers import Gunicorn
from .stack import Stack, start_stack, stop_all
from .traffic import make_households, summary
from .wrkload import find_wrk


def run_bench(opts: BenchOptions, *, out: Path | None = None, progress=print,
              command: str = "checkin bench") -> dict:
    opts.generator = choose_generator(opts.generator)
    results: dict = {"command": command, "options": asdict(opts), "machine": machine(),
                     "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                     "load_average_before": os.getloadavg()[0]}
    households = make_households(opts.households, opts.seed)
    results["traffic"] = summary(households)
    tmp = Path(tempfile.mkdtemp(prefix="checkin-bench-"))
    stops: list = []
    try:
        stack = start_stack(opts, households, tmp, stops, progress)
        results["traffic"]["seeded_nights"] = stack.seeded_nights
        results["startup"] = stack.startup
        _measure(Phases(opts, stack, households, progress), results)
        results["chain_fetches"] = _chain_fetches(stack)
        results["server_log"] = _server_log(stack.apps["skill"])
        results["targets"] = targets(results)
        results["checks"] = checks(results)
        results["notes"] = notes(results)
    finally:
        stop_all(stops, tmp)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
    return results


def choose_generator(asked: str) -> str:
    """Saturation's load generator: wrk when asked for or, for "auto", when it is installed."""
    if asked == "python" or (asked == "auto" and find_wrk() is None):
        return "python"
    if find_wrk() is None:
        raise BenchError("--generator wrk: wrk is not installed (Debian: apt-get install wrk)")
    return "wrk"


def _measure(phases: Phases, results: dict) -> None:
    """The phases in order, then (d) the outbound HTTP calls of everything after the warm-up."""
    standin = phases.stack.standin
    warm_requests, warm_calls = phases.warm_up()
    steady_calls_from = len(standin.calls)
    results["redis"] = phases.redis_per_kind()
    results["redis_usual"] = phases.redis_per_kind("usual")
    results["saturation"] = phases.saturation()
    results["latency"] = phases.latency()
    steady = standin.calls[steady_calls_from:]
    steady_calls = sum(1 for call in steady if not _from_usual(call))
    results["usual_outbound_calls"] = len(steady) - steady_calls  # its zones lost to overwrites
    steady_requests = (sum(r["requests"] for r in results["redis"].values())
                       + phases.skill_requests_sent)
    devices = results["traffic"]["devices"]
    results["outbound"] = {
        "steady_state_calls": steady_calls, "steady_state_requests": steady_requests,
        "per_request": round(steady_calls / max(steady_requests, 1), 5),
        "warmup_calls": warm_calls, "warmup_requests": warm_requests,
        "devices": devices, "workers": phases.opts.workers,
        "warmup_calls_per_device": round(warm_calls / max(devices, 1), 3),
    }


def _from_usual(call) -> bool:
    """Was this Alexa API call made by the usual skill (its calls carry USUAL_API_HEADER)?"""
    return any(k.lower() == USUAL_API_HEADER.lower() for k in call.headers)


def _chain_fetches(stack: Stack) -> dict:
    """Certificate-chain fetches per worker of the skill."""
    fetch_log = stack.fetch_log.read_text()
    fetches = Counter(line.split()[0] for line in fetch_log.splitlines() if line)
    return {"per_worker": dict(fetches), "total": sum(fetches.values()),
            "workers": len(stack.apps["skill"].worker_pids())}


def _server_log(skill: Gunicorn) -> dict:
    """What the skill itself logged: request outcomes, tracebacks, warnings."""
    outcomes: Counter = Counter()
    warnings = 0
    log_text = skill.log_path.read_text(errors="replace")
    for line in log_text.splitlines():  # one JSON object a line (skill/logline.py)
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            if "outcome" in record:
                outcomes[str(record["outcome"])] += 1
            warnings += record.get("level") == "WARNING"
    return {"outcomes": dict(outcomes), "tracebacks": log_text.count("Traceback"),
            "warnings": warnings}
