"""What every log line of the suite must be: one JSON object, carrying no raw Alexa id, token or
user text. ``conftest.py`` checks every record logged in-process after each test; tests that
start the real service check its stderr with ``line_problems``."""

from __future__ import annotations

import functools
import json
import logging

from pythonjsonlogger.core import RESERVED_ATTRS

from skill.dev.envelopes import Device
from skill.dev.simulator.session import CONSENT_TOKEN
from skill.logline import JsonFormatter

FORMATTER = JsonFormatter()


@functools.cache
def forbidden() -> tuple[str, ...]:
    """The prefixes of Alexa's user, device and person ids, and every token the suite sends."""
    from .reminders.support import CONSENT  # imports conftest, which imports this module

    return ("amzn1.ask.account.", "amzn1.ask.device.", "amzn1.ask.person.",
            Device().api_access_token, CONSENT_TOKEN, CONSENT, "SECRET-TOKEN")


def line_problems(line: str) -> list[str]:
    """Why one line of a log is not what it must be (none: it is fine)."""
    try:
        value = json.loads(line)
    except ValueError:
        return [f"not JSON: {line[:200]!r}"]
    problems = [] if isinstance(value, dict) else [f"not an object: {line[:200]!r}"]
    return problems + [f"carries {word!r}: {line[:300]!r}" for word in forbidden() if word in line]


def text_problems(text: str) -> list[str]:
    return [p for line in text.splitlines() if line.strip() for p in line_problems(line)]


def raw_text(record: logging.LogRecord) -> str:
    """Everything a record holds before the formatter's own scrubbing: the message with its
    arguments, every extra field, the exception."""
    extras = " ".join(str(v) for k, v in record.__dict__.items() if k not in RESERVED_ATTRS)
    return f"{record.getMessage()} {extras} {record.exc_text or ''}"


class SuiteLog(logging.Handler):
    """On the root logger for the whole session: formats every record as the service does and
    keeps what is wrong with it."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(FORMATTER)
        self.lines: list[str] = []  # the current test's (conftest.py empties it)
        self.problems: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)  # now: in the request's context, as the service does
        except Exception as e:  # a record the formatter cannot take is a failure too
            self.problems.append(f"unformattable {record.name} record: {type(e).__name__}: {e}")
            return
        self.lines.append(line)
        if "\n" in line:
            self.problems.append(f"more than one line: {line[:200]!r}")
        self.problems += line_problems(line)
        raw = raw_text(record)
        self.problems += [f"{record.name} logged {word!r} (before scrubbing): {raw[:300]!r}"
                          for word in forbidden() if word in raw]


def formatted(record: logging.LogRecord) -> dict:
    """A record as the service writes it."""
    return json.loads(FORMATTER.format(record))


def request_lines(records) -> list[dict]:
    """The request lines among captured records, as the service writes them."""
    return [formatted(r) for r in records
            if r.name == "checkin" and isinstance(r.msg, dict) and r.msg["message"] == "request"]
