"""What logs and metrics cost a request: ``python -m skill.dev.opscost``.

Two apps in one process on one private Redis, the same signed requests of an evening mix
(verification on, warm caches), in alternating rounds of three modes: every line
(``CHECKIN_LOG_LEVEL=INFO``: ``prometheus-client`` in multiprocess mode writing its files, as
under gunicorn, and the JSON request line of every request written to a file), problems (the
default, the same metrics and ``CHECKIN_LOG_LEVEL=WARNING``: lines only for requests refused,
degraded or failed, none here), and off (metrics that do nothing, no log line built). What a
mode adds is the median over the rounds of its CPU time per request (``time.process_time``: this
process, user and system, not Redis) less the off mode's in the same round. On a busy machine that is noise-prone;
``--callgrind`` also runs the same rounds in one process under valgrind's callgrind, each phase
a part of its own (``--dump-before=getppid``), and counts instructions, which no neighbour
changes.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SKILL_ID = "amzn1.ask.skill.opscost0-0000-4000-8000-000000000000"
KINDS = (["launch"] * 30 + ["tonight"] * 10 + ["tip"] * 15 + ["validation"] * 15
         + ["streak"] * 10 + ["another"] * 10 + ["done"] * 10)


class NoMetrics:
    """The metrics' calls, doing nothing: the app without metrics."""

    def request(self, *args) -> None:
        pass

    rejected = redis_error = api_call = degraded_answer = checkin_counted = request

    def exposition(self) -> bytes:
        return b""


def evening(tz: str = "America/New_York") -> float:
    """21:30 tonight (or tomorrow) in New York: a check-in counts, nothing is a preview."""
    local = datetime.now(ZoneInfo(tz))
    at = local.replace(hour=21, minute=30, second=0, microsecond=0)
    return (at if at > local else at + timedelta(days=1)).timestamp()


def _bodies(count: int, households: int, now: float, seed: int = 6) -> list[bytes]:
    from .envelopes import Device, Session, envelope, intent, launch, slot

    tip = intent("TipIntent", {"topic": slot("topic", "active listening", "ACTIVE_LISTENING",
                                             "active listening", slot_type="TipTopicType")})
    requests = {"launch": launch(), "tonight": intent("TonightQuestionIntent"), "tip": tip,
                "validation": intent("ValidationPhraseIntent"), "streak": intent("StreakIntent"),
                "another": intent("AnotherQuestionIntent"), "done": intent("DoneIntent")}
    rng = random.Random(seed)
    out = []
    for i in range(count):
        n = rng.randrange(households)
        device = Device(skill_id=SKILL_ID, user_id=f"amzn1.ask.account.OPS{n}",
                        device_id=f"amzn1.ask.device.OPS{n}")
        out.append(json.dumps(envelope(device, requests[rng.choice(KINDS)], now,
                                       Session())).encode())
    return out


def _environ(body: bytes, headers: dict) -> dict:
    from werkzeug.test import EnvironBuilder

    env = EnvironBuilder(method="POST", path="/", data=body,
                         headers={"Content-Type": "application/json", **headers}).get_environ()
    env["checkin.body"] = body
    return env


def _run(wsgi, envs: list[dict]) -> None:
    for env in envs:
        env = dict(env, **{"wsgi.input": io.BytesIO(env["checkin.body"])})
        answer = b"".join(wsgi(env, _start_response))
        if b'"outputSpeech"' not in answer and b'"response"' not in answer:
            raise RuntimeError(f"unexpected answer: {answer[:200]!r}")


def _start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        raise RuntimeError(f"HTTP {status}")


# What each mode runs: (the app: with metrics or without, the ``checkin`` logger's level).
MODES = {
    "every line": ("metrics", logging.INFO),  # CHECKIN_LOG_LEVEL=INFO: a line for every request
    "problems": ("metrics", logging.WARNING),  # the default, WARNING: lines for problems only
    "off": ("none", logging.CRITICAL + 1),  # neither logs nor metrics
}


class Workload:
    """The two apps (with and without metrics), their Redis, and the signed requests."""

    def __init__(self, requests: int, households: int, tmp: Path):
        # before prometheus_client is first imported: it picks its value class then
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "metrics")
        (tmp / "metrics").mkdir()
        from cryptography import x509

        from skill.app import create_app
        from skill.config import Config
        from skill.logline import handler, lighten
        from skill.metrics import Metrics
        from skill.redis_server import RedisServer

        from .ca import BodySigner, build_ca
        from .ports import free_port

        lighten()  # as configure() does in the service
        self.log_file = open(tmp / "log.jsonl", "w")
        logging.getLogger().addHandler(handler(self.log_file))
        self.redis = RedisServer(tmp / "redis", port=free_port(), persist=False).start()
        ca = build_ca()
        now = evening()
        config = Config(skill_id=SKILL_ID, verify=True, redis_url=self.redis.url,
                        user_id_secret="opscost", data_dir=tmp / "data")
        roots = x509.load_pem_x509_certificates(ca.root_pem)
        self.apps = {name: create_app(config, roots=roots, chain_fetcher=lambda url: ca.chain_pem,
                                      clock=lambda: now, metrics=metrics).wsgi_app
                     for name, metrics in (("metrics", Metrics(str(tmp / "metrics"))),
                                           ("none", NoMetrics()))}
        signer = BodySigner(ca.key_pem)
        bodies = _bodies(requests, households, now)
        self.envs = [_environ(body, signer.headers(body)) for body in bodies]
        warm = [_environ(body, signer.headers(body))
                for body in _bodies(households * 3, households, now, seed=7)]
        for mode in ("every line", "off"):  # every household seen, every cache warm, both apps
            self.run(mode, warm + self.envs)

    def run(self, mode: str, envs: list[dict] | None = None) -> float:
        """CPU seconds for the requests in one mode."""
        app, level = MODES[mode]
        logging.getLogger("checkin").setLevel(level)
        started = time.process_time()
        _run(self.apps[app], self.envs if envs is None else envs)
        return time.process_time() - started

    def close(self) -> None:
        self.redis.stop()
        self.log_file.close()


def alternate(requests: int, rounds: int, households: int) -> tuple[str, float]:
    """(the report, the median CPU microseconds per request with logs and metrics off)."""
    tmp = Path(tempfile.mkdtemp(prefix="checkin-opscost-"))
    try:
        work = Workload(requests, households, tmp)
        cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
        for r in range(rounds):
            for mode in (list(MODES) if r % 2 == 0 else list(reversed(MODES))):
                cpu[mode].append(work.run(mode) / requests * 1e6)
        lines = (tmp / "log.jsonl").read_text().count("\n")
        work.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    off = statistics.median(cpu["off"])
    out = [f"{rounds} rounds of {requests} requests in each mode ({households} households, "
           f"verification on), CPU microseconds per request, medians (and rounds):\n"]
    for mode, values in cpu.items():
        out.append(f"  {mode + ':':12} {statistics.median(values):7.1f} ({_list(values)})\n")
    for mode in ("every line", "problems"):
        # a round's runs are back to back: their difference drifts less with the machine's
        # load than the medians do
        added = statistics.median(a - b for a, b in zip(cpu[mode], cpu["off"]))
        out.append(f"  {mode}: logs and metrics add {added:.1f} microseconds per request "
                   f"(median of the rounds' differences; {added / off * 100:.1f} %)\n")
    out.append(f"  {lines} log lines written\n")
    return "".join(out), off


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


def phases(requests: int, rounds: int, households: int) -> None:
    """For callgrind: after the warm-up, rounds of each mode, each phase after a call to
    ``getppid`` (``--dump-before=getppid`` makes each phase a part of its own)."""
    tmp = Path(tempfile.mkdtemp(prefix="checkin-opscost-"))
    try:
        work = Workload(requests, households, tmp)
        for _ in range(rounds):
            for mode in MODES:
                os.getppid()
                work.run(mode)
        os.getppid()
        work.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def callgrind(requests: int, rounds: int, households: int) -> dict[str, float]:
    """Instructions per request in each mode: one process under callgrind, each phase a part."""
    tmp = Path(tempfile.mkdtemp(prefix="checkin-opscost-cg-"))
    try:
        subprocess.run(["valgrind", "--tool=callgrind", "--dump-before=getppid",
                        f"--callgrind-out-file={tmp / 'cg'}", sys.executable, "-m",
                        "skill.dev.opscost", "--phases", "--requests", str(requests), "--rounds",
                        str(rounds), "--households", str(households)],
                       check=True, capture_output=True, env=dict(os.environ, PYTHONHASHSEED="0"))
        # cg.1, cg.2, ... for the dumps; cg itself for what ran after the last one
        parts = sorted(tmp.glob("cg*"), key=lambda p: int(p.suffix[1:]) if p.suffix else 1e9)
        totals = [next(int(line.split()[1]) for line in part.read_text().splitlines()
                       if line.startswith(("summary:", "totals:"))) for part in parts]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    measured = totals[1:1 + len(MODES) * rounds]  # part 1: start and warm-up; then the phases
    if len(measured) != len(MODES) * rounds:
        raise RuntimeError(f"callgrind wrote {len(totals)} parts, not {len(MODES) * rounds + 2}")
    return {mode: statistics.median(measured[i::len(MODES)]) / requests
            for i, mode in enumerate(MODES)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m skill.dev.opscost", description=__doc__.split(
        "\n\n")[0])
    p.add_argument("--requests", type=int, default=1000, help="requests per round (default 1000)")
    p.add_argument("--rounds", type=int, default=10, help="rounds each way (default 10)")
    p.add_argument("--households", type=int, default=200, help="households (default 200)")
    p.add_argument("--callgrind", action="store_true",
                   help="also count instructions under valgrind's callgrind (slow: minutes)")
    p.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)  # under callgrind
    args = p.parse_args(argv)
    if args.phases:
        phases(args.requests, args.rounds, args.households)
        return 0
    report, off_us = alternate(args.requests, args.rounds, args.households)
    print(report, end="")
    if args.callgrind:
        requests, rounds = min(args.requests, 200), min(args.rounds, 3)
        counts = callgrind(requests, rounds, args.households)
        per_us = counts["off"] / off_us  # instructions per microsecond, this machine, this path
        print(f"callgrind ({rounds} rounds of {requests} requests in each mode, medians), "
              f"instructions per request: " + ", ".join(f"{m} {n:,.0f}" for m, n in counts.items()))
        for mode in ("every line", "problems"):
            added = counts[mode] - counts["off"]
            print(f"  {mode}: logs and metrics add {added:,.0f} instructions "
                  f"({added / counts['off'] * 100:.1f} %), about {added / per_us:.1f} microseconds "
                  f"at the {per_us:,.0f} instructions per microsecond of the requests above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
