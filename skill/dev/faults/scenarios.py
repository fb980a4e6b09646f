"""Each fault as a scenario against one running service, and the table of what it did."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from skill.dev.bench.apps import FACTORIES, SKILL_ID, USER_ID_SECRET
from skill.dev.bench.servers import Gunicorn, gunicorn_env
from skill.dev.bench.stack import stop_all
from skill.dev.bench.traffic import evening_zone
from skill.dev.bench.wire import raw_post
from skill.dev.ca import BodySigner, build_ca
from skill.dev.envelopes import Device, envelope, launch
from skill.dev.ports import free_port
from skill.dev.standin import AlexaStandin
from skill.redis_server import RedisServer
from skill.storage import household_id, key_for

from . import FaultsError
from .driver import Outcome, open_loop
from .slow import SlowClients

UNSAVED = "couldn't save".encode()


@dataclass
class FaultOptions:
    duration: float = 8.0  # seconds of traffic per scenario
    workers: int = 2
    slow_clients: int = 200


@dataclass
class Stack:
    redis: RedisServer
    standin: AlexaStandin
    skill: Gunicorn
    signer: BodySigner
    tmp: Path


def start(opts: FaultOptions, tmp: Path, stops: list) -> Stack:
    ca = build_ca()
    paths = ca.write(tmp / "ca")
    redis_server = RedisServer(tmp / "redis", port=free_port()).start()  # persisted, as deployed
    stops.append(redis_server.stop)
    standin = AlexaStandin().start()
    stops.append(standin.stop)
    # a launch before 3 p.m. only previews tonight's question and saves nothing, which would
    # read as check-ins lost: every device is where it is 9 p.m.
    zone = evening_zone(time.time(), 21)
    standin.state.default_zone = zone
    env = gunicorn_env({
        "ALEXA_SKILL_ID": SKILL_ID, "CHECKIN_VERIFY": "true", "REDIS_URL": redis_server.url,
        "CHECKIN_USER_ID_SECRET": USER_ID_SECRET, "CHECKIN_DATA_DIR": str(tmp / "data"),
        "CHECKIN_DEFAULT_TIMEZONE": zone,
        "CHECKIN_BENCH_CA_ROOT": str(paths["root"]), "CHECKIN_BENCH_CHAIN": str(paths["chain"]),
        "CHECKIN_BENCH_FETCH_LOG": str(tmp / "fetches.log")})
    skill = Gunicorn("skill", FACTORIES["skill"], free_port(), opts.workers, env, tmp)
    stops.append(skill.stop)
    signer = BodySigner(ca.key_pem)
    stack = Stack(redis_server, standin, skill, signer, tmp)
    skill.start(launches(stack, "start", 1)[0][1])
    return stack


def launches(stack: Stack, tag: str, count: int) -> list[tuple[str, bytes]]:
    """Signed launch requests, each from a new household on a new device: (user id, raw)."""
    out = []
    now = time.time()
    for i in range(count):
        user = f"amzn1.ask.account.FAULT-{tag}-{i}"
        device = Device(skill_id=SKILL_ID, user_id=user, device_id=f"amzn1.ask.device.{tag}-{i}",
                        api_endpoint=stack.standin.url)
        body = json.dumps(envelope(device, launch(), now)).encode()
        out.append((user, raw_post(body, stack.signer.headers(body))))
    return out


def row(name: str, stack: Stack, users: list[str], outcomes: list[Outcome]) -> dict:
    answered = sorted(o.latency for o in outcomes if o.latency is not None)
    missing = len(outcomes) - len(answered)
    everything = answered + [float("inf")] * missing
    client = stack.redis.client(socket_timeout=2)
    try:
        saved = [users[o.index] for o in outcomes if o.status == 200 and UNSAVED not in o.body]
        secret = USER_ID_SECRET.encode()
        lost = sum(1 for user in saved if not client.exists(key_for(household_id(secret, user))))
    finally:
        client.close()
    p99 = everything[min(len(everything) - 1, int(0.99 * len(everything)))] if everything else 0
    return {"scenario": name, "requests": len(outcomes),
            "within_8s": sum(1 for o in outcomes if o.status == 200 and o.latency <= 8),
            "within_1_5s": sum(1 for o in outcomes if o.status == 200 and o.latency <= 1.5),
            "p99_s": p99, "max_s": everything[-1] if everything else 0,
            "5xx": sum(1 for o in outcomes if o.status and o.status >= 500),
            "no_answer": missing, "lost": lost}


def fresh_workers(stack: Stack, timeout: float = 20.0) -> None:
    """New workers (a graceful HUP): each scenario meets closed breakers and empty caches."""
    before = len(stack.skill.worker_pids())
    stack.skill.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while len(stack.skill.worker_pids()) < before + stack.skill.workers:
        if time.monotonic() > deadline:
            raise FaultsError("gunicorn did not start new workers after HUP")
        time.sleep(0.05)
    time.sleep(1.0)


def run(stack: Stack, opts: FaultOptions, name: str, tag: str, rate: float, during=None,
        slow: int = 0, on=None, off=None) -> dict:
    """Fresh warm workers, then the fault (``on``, ``during(i)`` before the i-th request,
    ``off`` at the end, whatever happened), then the row."""
    fresh_workers(stack)
    warm = launches(stack, f"warm-{tag}", 8 * stack.skill.workers)  # not measured
    open_loop(stack.skill.port, [r for _, r in warm], 20)
    requests = launches(stack, tag, max(1, int(rate * opts.duration)))
    users, raws = [u for u, _ in requests], [r for _, r in requests]
    try:
        if on is not None:
            on()
        if slow:
            with SlowClients(stack.skill.port, slow, limit_s=opts.duration + 30):
                time.sleep(1.0)  # let them take their places first
                outcomes = open_loop(stack.skill.port, raws, rate, during)
        else:
            outcomes = open_loop(stack.skill.port, raws, rate, during)
    finally:
        if off is not None:
            off()
    time.sleep(0.5)  # a fault's last step (run in a thread) has finished
    return row(name, stack, users, outcomes)


def steps(opts: FaultOptions, rate: float, hold_s: float) -> tuple[int, int]:
    """The request numbers at which a fault starts (a third in) and ends (``hold_s`` later,
    and before the last request)."""
    count = max(1, int(rate * opts.duration))
    start = count // 3
    return start, max(start + 1, min(start + int(hold_s * rate), count - 1))


def run_all(opts: FaultOptions, scenarios, progress=print) -> list[dict]:
    """Start the service, run each of ``scenarios`` (skill.dev.faults.catalogue), stop."""
    tmp = Path(tempfile.mkdtemp(prefix="checkin-faults-"))
    stops: list = []
    rows = []
    try:
        stack = start(opts, tmp, stops)
        progress(f"service up on 127.0.0.1:{stack.skill.port} ({opts.workers} workers)")
        for scenario in scenarios:
            r = scenario(stack, opts)
            progress(format_row(r))
            rows.append(r)
        log = stack.skill.log_path.read_text(errors="replace")
        rows.append({"tracebacks_in_log": log.count("Traceback")})
    finally:
        stop_all(stops, tmp)
    return rows


HEADER = ("| Scenario | Requests | Answered within 8 s | within 1.5 s | p99 | max | 5xx | "
          "No answer | Check-ins lost |\n|---|---|---|---|---|---|---|---|---|")


def format_row(r: dict) -> str:
    def s(v):
        return "none" if v == float("inf") else f"{v:.2f} s"
    return (f"| {r['scenario']} | {r['requests']} | {r['within_8s']} | {r['within_1_5s']} | "
            f"{s(r['p99_s'])} | {s(r['max_s'])} | {r['5xx']} | {r['no_answer']} | {r['lost']} |")


def kill_signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
