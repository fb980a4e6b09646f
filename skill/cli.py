"""``checkin``: the command line. It only assembles the commands: each lives beside what it
operates on and is registered as an entry point in the group ``checkin.commands``
(pyproject.toml). Only the command named is loaded, so ``checkin serve`` imports no developer
tool, and the tools in ``skill.dev`` never import this module back."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import EntryPoint, entry_points

from .errors import CommandError, ConfigError

GROUP = "checkin.commands"


def commands() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the command `argv` names, or every command when it names none."""
    parser = argparse.ArgumentParser(
        prog="checkin", description="Our Check-In: the Alexa skill's web service and tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    found = commands()
    if not found:
        parser.error("no commands are registered: install the project (pip install -e .)")
    named = next((a for a in argv or () if not a.startswith("-")), None)
    for name in [named] if named in found else sorted(found):
        found[name].load()(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return args.func(args) or 0
    except (CommandError, ConfigError) as e:
        print(f"checkin: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
