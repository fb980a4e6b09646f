"""The simulator's error."""

from __future__ import annotations

from skill.errors import CommandError


class SimulatorError(CommandError):
    """Something the simulator cannot do: a bad option, an unreachable or failing skill.

    A :class:`~skill.errors.CommandError`, so ``checkin chat`` and ``checkin say`` let it reach
    the command line, which prints it as one line and exits with 2."""
