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
    """The request is not provably from Alexa for this skill. ``reason`` is said to the client
    and logged; ``kind`` is one of a few fixed words (``skill.metrics.REJECTIONS``) that a metric
    can count and an operator can alert on: a clock out of step shows as ``timestamp``, a
    certificate problem as ``certificate_*``, a stranger's requests as ``signature``."""

    def __init__(self, reason: str, kind: str):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class EnvelopeError(CheckinError, ValueError):
    """The body is not an Alexa request envelope."""

    kind = "envelope"
