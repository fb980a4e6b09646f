"""``checkin faults``: its options and the command."""

from __future__ import annotations

import argparse
import signal
import sys

from skill.server import bounded_number


def add_command(subparsers) -> None:
    p = subparsers.add_parser(
        "faults", help="run slow clients, slow Alexa APIs, Redis faults and a worker kill "
                       "against the service (loopback only)",
        description="Start the skill under the production gunicorn settings (verification on, "
                    "a throwaway CA, a private Redis, the API stand-in) and run each fault while "
                    "signed requests arrive; print a Markdown table.")
    p.add_argument("--duration", type=bounded_number("duration", 1, 60, float), default=8.0,
                   help="seconds of traffic per scenario (default 8)")
    p.add_argument("--workers", type=bounded_number("workers", 1, 8), default=2, metavar="N",
                   help="gunicorn workers (default 2, as `checkin serve`)")
    p.set_defaults(func=faults_command)


def faults_command(args: argparse.Namespace) -> int:
    from .catalogue import SCENARIOS
    from .scenarios import HEADER, FaultOptions, format_row, run_all

    def progress(text: str) -> None:
        print(f"  . {text}", file=sys.stderr, flush=True)

    def terminate(signum, frame):  # SIGTERM: stop the servers on the way out, like Ctrl-C
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        rows = run_all(FaultOptions(duration=args.duration, workers=args.workers), SCENARIOS,
                       progress)
    finally:
        signal.signal(signal.SIGTERM, previous)
    words = ["checkin", "faults"] + ([f"--duration {args.duration:g}"] if args.duration != 8 else [])
    print(f"`{' '.join(words)}`\n\n{HEADER}")
    for r in rows[:-1]:
        print(format_row(r))
    print(f"\nTracebacks in the service's log: {rows[-1]['tracebacks_in_log']}")
    return 0
