"""The service's named errors. Each is mapped to an answer at one boundary only: the web layer
turns verification and envelope errors into HTTP 400 and storage errors into a spoken "couldn't
save"; the command line prints a configuration or command error as one line and exits with 2."""

from __future__ import annotations


class CheckinError(Exception):
    """Base of the errors below."""


class ConfigError(CheckinError, ValueError):
    """A setting has a value the service cannot run with."""


class CommandError(CheckinError):
    """A one-line problem a ``checkin`` command reports before exiting with status 2."""


class StorageError(CheckinError):
    """Redis is unreachable, slow or refused the operation."""


class VerificationError(CheckinError):
    """The request is not provably from Alexa for this skill."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EnvelopeError(CheckinError, ValueError):
    """The body is not an Alexa request envelope."""
