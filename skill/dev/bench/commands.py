"""``checkin bench``: its options, and the command that runs the benchmark or the profile.

``checkin --help`` loads every command's options, so the benchmark's machinery (the skill,
Redis, ``cryptography``) is imported only when the command runs."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from skill.errors import CommandError

from .options import BenchOptions
from .report import format_report


def _positive(kind):
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if number <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {value}")
        return number

    return parse


def _rates(value: str) -> tuple[float, ...]:
    try:
        rates = tuple(float(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"rates are numbers separated by commas: {value!r}") from None
    if not rates or any(r <= 0 or r > 5000 for r in rates):
        raise argparse.ArgumentTypeError("rates must be between 0 and 5000 requests per second")
    return rates


def add_command(subparsers) -> None:
    p = subparsers.add_parser(
        "bench", help="benchmark the skill against the usual ask-sdk way and a bare-Flask "
                      "baseline (loopback only)",
        description="Start the skill (verification on, a throwaway CA), the same skill written "
                    "the usual ask-sdk way, a bare Flask app and a floor app under the "
                    "production gunicorn settings with a private Redis, drive them, and report "
                    "throughput, CPU per request, latency, Redis round trips, outbound calls "
                    "and start-up time.")
    p.add_argument("--duration", type=_positive(float), help="seconds per measured phase "
                   "(default 10; 2 with --quick)")
    p.add_argument("--warmup", type=_positive(float),
                   help="unmeasured seconds before each phase (default 2; 0.5 with --quick)")
    p.add_argument("--connections", type=_positive(int), default=16,
                   help="concurrent connections at saturation (default 16)")
    p.add_argument("--workers", type=_positive(int), default=2,
                   help="gunicorn workers for both apps (default 2, as `checkin serve`)")
    p.add_argument("--households", type=_positive(int),
                   help="households in the traffic (default 2000; 150 with --quick)")
    p.add_argument("--rates", type=_rates, default=(100.0, 200.0, 400.0),
                   help="offered loads for the latency phases (default 100,200,400)")
    p.add_argument("--noisy-retries", type=int, choices=range(0, 6), metavar="N",
                   help="run a phase again, up to N times, while other processes took CPU "
                        "(default 2; 0 with --quick)")
    p.add_argument("--rounds", type=_positive(int), default=2,
                   help="saturation rounds per app, the order alternating (default 2)")
    p.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                   help="saturation's load generator: wrk (C, its own CPU negligible; Debian "
                        "package wrk), python (the built-in one), or auto: wrk when installed "
                        "(default)")
    p.add_argument("--quick", action="store_true", help="a short smoke run (2 s phases)")
    p.add_argument("--gthread", action="store_true",
                   help="also run the skill under the gthread workers used before gevent, "
                        "alternating with the others at saturation (issue 16's comparison)")
    p.add_argument("--out", type=Path, default=Path("bench-results/bench.json"),
                   help="where to write the JSON results (default bench-results/bench.json)")
    p.add_argument("--profile", action="store_true",
                   help="instead: cProfile the skill's request handling in-process")
    p.add_argument("--profile-requests", type=_positive(int), default=2000,
                   help="requests to profile (default 2000)")
    p.set_defaults(func=bench_command)


def _command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run (as recorded in the JSON and the README)."""
    words = ["checkin", "bench"]
    if args.quick:
        words.append("--quick")
    if args.gthread:
        words.append("--gthread")
    for name in ("duration", "warmup", "households", "noisy_retries"):
        if getattr(args, name) is not None:
            words += [f"--{name.replace('_', '-')}", f"{getattr(args, name):g}"]
    if args.connections != 16:
        words += ["--connections", str(args.connections)]
    if args.workers != 2:
        words += ["--workers", str(args.workers)]
    if args.rounds != 2:
        words += ["--rounds", str(args.rounds)]
    if args.generator != "auto":
        words += ["--generator", args.generator]
    if tuple(args.rates) != (100.0, 200.0, 400.0):
        words += ["--rates", ",".join(f"{r:g}" for r in args.rates)]
    words += ["--out", str(args.out)]
    return " ".join(words)


def bench_command(args: argparse.Namespace) -> int:
    if args.profile:
        return _profile_command(args)
    from .run import run_bench

    def progress(text: str) -> None:
        print(f"  . {text}", file=sys.stderr, flush=True)

    def terminate(signum, frame):  # SIGTERM: stop the servers on the way out, like Ctrl-C
        raise SystemExit(128 + signum)

    opts = _options(args)
    command = _command_line(args)
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        results = run_bench(opts, out=args.out, progress=progress, command=command)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(format_report(results))
    print(f"\nresults: {args.out}")
    return 0


def _options(args: argparse.Namespace) -> BenchOptions:
    overrides = {k: v for k, v in (("duration", args.duration), ("warmup", args.warmup),
                                   ("households", args.households),
                                   ("noisy_retries", args.noisy_retries)) if v is not None}
    overrides.update(connections=args.connections, workers=args.workers, rates=args.rates,
                     generator=args.generator, rounds=args.rounds, gthread=args.gthread)
    return BenchOptions.quick_run(**overrides) if args.quick else BenchOptions(**overrides)


def _profile_command(args: argparse.Namespace) -> int:
    try:
        from .profiling import profile

        print(profile(requests=args.profile_requests))
    except Exception as e:
        raise CommandError(f"profile failed: {type(e).__name__}: {e}") from None
    return 0
