"""``checkin chat`` (a conversation) and ``checkin say "..."`` (one turn): their options, and the
chat's own ``:commands`` (``:tomorrow``, ``:at``, ``:help``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from .errors import SimulatorError
from .resolver import available_locales
from .session import DEFAULT_DEVICE, DEFAULT_TZ, DEFAULT_USER, Simulator, zone_or_error
from .transcript import Turn


def _tz_arg(value: str) -> str:
    try:
        zone_or_error(value)
    except SimulatorError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return value


def _locale_arg(value: str) -> str:
    if value not in available_locales():
        raise argparse.ArgumentTypeError(
            f"no interaction model for locale {value!r} (known: {', '.join(available_locales())})")
    return value


def _at_arg(value: str) -> str:
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a local date and time like 2026-12-01T21:30") from None
    return value


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="talk to a running service (e.g. http://127.0.0.1:8080/) "
                                 "instead of the app in-process")
    p.add_argument("--locale", type=_locale_arg, default="en-US",
                   help=f"interaction model and content (one of: {', '.join(available_locales())})")
    p.add_argument("--at", type=_at_arg, help="the simulated local time, e.g. 2026-12-01T21:30 "
                                              "(default: now)")
    p.add_argument("--tz", type=_tz_arg, default=DEFAULT_TZ,
                   help=f"the device's IANA time zone (default {DEFAULT_TZ})")
    p.add_argument("--user", default=DEFAULT_USER,
                   help=f"the household (any name; default {DEFAULT_USER!r})")
    p.add_argument("--device", default=DEFAULT_DEVICE,
                   help=f"the device (any name; default {DEFAULT_DEVICE!r})")
    p.add_argument("--speaker", help="a recognised speaker's name (sets a personId)")
    p.add_argument("--screen", action="store_true", help="the device has a screen (APL)")


def add_chat_command(subparsers) -> None:
    p = subparsers.add_parser("chat", help="talk to the skill by typing (offline simulator)")
    _common_options(p)
    p.set_defaults(func=chat_command)


def add_say_command(subparsers) -> None:
    p = subparsers.add_parser("say", help="say one thing to the skill and print the answer")
    p.add_argument("text", help='what you would say to Alexa, e.g. "start our check in"')
    _common_options(p)
    p.add_argument("--state", type=Path,
                   help="keep the session, the permission given and the API stand-in's reminders "
                        "in this file between separate `say` runs")
    p.add_argument("--json", action="store_true", help="print the request and response JSON too")
    p.set_defaults(func=say_command)


def _build(args: argparse.Namespace) -> Simulator:
    return Simulator(args.url, locale=args.locale, tz=args.tz, at=args.at, user=args.user,
                     device=args.device, speaker=args.speaker, screen=args.screen,
                     skill_id=_env_skill_id())


def _env_skill_id() -> str | None:
    return os.environ.get("ALEXA_SKILL_ID", "").strip() or None


def say_command(args: argparse.Namespace) -> int:
    sim = _build(args)
    try:
        if args.state:
            sim.load_state(args.state)
        turn = sim.say(args.text)
        print(turn)
        if args.json:
            print(json.dumps({"request": turn.request, "response": turn.raw}, indent=2))
        if args.state:
            sim.save_state(args.state)
    finally:
        sim.close(stop_standin=False)
    return 0


CHAT_HELP = """\
Type what you would say to Alexa, e.g. "start our check in", "ask our check in for a tip on
active listening", "yes", "stop". Simulator commands:
  :tomorrow [HH:MM]   move the clock to the next day (same time, or HH:MM)
  :at 2026-12-01T21:30  set the clock
  :help               this text
  exit / quit        end the session and leave, in every language (Ctrl-D too)"""


# What leaves `checkin chat` in every language, before anything is sent to the skill: the words
# the greeting and :help promise. A language's own way of leaving a skill ("beenden", "quitte")
# leaves too, through its resolver; "exit" must not depend on that list, or a language without it
# sends "exit" as a one-shot ("frage zeit für uns exit").
CHAT_EXIT = frozenset({"exit", "quit", "quit chat", ":quit", ":q"})


def chat_command(args: argparse.Namespace) -> int:
    sim = _build(args)
    interactive = sys.stdin.isatty()
    where = args.url or "the skill in-process"
    print(f"Talking to {where} as household {args.user!r} on device {args.device!r} "
          f"({args.locale}). It is {_when(sim)}.")
    print('Type what you would say to Alexa; ":help" for commands, "exit" to leave.')
    try:
        while True:
            try:
                line = input("you> ")
            except EOFError:
                print()
                break
            text = line.strip()
            if not interactive:
                print(text)  # a transcript reads like the conversation
            if not text:
                continue
            if text.lower() in CHAT_EXIT or sim.resolver.resolve(text).kind == "end":
                break
            try:
                if text.startswith(":"):
                    _chat_command(sim, text)
                    continue
                print(sim.say(text))
            except SimulatorError as e:
                print(f"[error] {e}")
                if not interactive:
                    return 2
        turn = sim.end()
        if turn is not None:
            print(turn)
    except KeyboardInterrupt:
        print()
    finally:
        sim.close(stop_standin=False)
    return 0


def _when(sim: Simulator) -> str:
    now = sim.now
    return f"{now:%A} {now.day} {now:%B %Y, %H:%M} in {sim.tz}"


def _print_timeout(turn: Turn | None) -> None:
    if turn is not None:
        print(turn)


def _chat_command(sim: Simulator, text: str) -> None:
    cmd, _, arg = text[1:].partition(" ")
    arg = arg.strip()
    if cmd == "help":
        print(CHAT_HELP)
    elif cmd == "tomorrow":
        _print_timeout(sim.advance(days=1, to=arg or None))
        print(f"[clock] {_when(sim)}")
    elif cmd == "at":
        if not arg:
            raise SimulatorError("usage: :at 2026-12-01T21:30")
        _print_timeout(sim.set_time(arg))
        print(f"[clock] {_when(sim)}")
    else:
        raise SimulatorError(f"unknown command {text!r}; :help lists them")
