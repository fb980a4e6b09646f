"""Log records: one JSON object per line, and texts from outside that stay readable.

Every record the service writes, gunicorn's own included, goes through ``JsonFormatter``
(``python-json-logger``'s, with its orjson encoder) to stderr: ``time``, ``level``, ``logger``,
``pid``, ``message``, then the request's context while one is being answered (``request_id``,
``type``, ``intent``, and ``household``: the first 12 characters of the household's keyed hash),
then the record's own fields (``extra=``, or a dict message). The request line adds ``outcome``,
``status``, ``latency_ms`` and, for a refusal, ``reason`` and ``detail`` (skill/endpoint.py).
Never a raw Alexa id, token or anything a person said: the handlers log none, and the formatter
blanks any Alexa id or token that reached a record anyway.

Texts from outside are cut and made one line, and an error is one compact record (its type, its
message cut, the last few frames) instead of a traceback that a deeply nested body can make
thousands of lines long.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from contextvars import ContextVar
from itertools import islice

import orjson
from pythonjsonlogger.orjson import OrjsonFormatter

MAX_TEXT = 200
FRAMES = 5
# The request being answered: set by the endpoint, read for every record logged meanwhile (each
# gevent greenlet, like each thread, has a context of its own).
REQUEST: ContextVar[dict | None] = ContextVar("checkin_request", default=None)
# Alexa's user, device and person ids, and the tokens that come with them (JWTs, LWA "Atza|"),
# wherever they appear: replaced whole.
_PRIVATE = re.compile(r"amzn1\.ask\.(?:account|device|person|user)\.[\w.\-]*"
                      r"|eyJ[\w\-]+\.[\w\-]+\.[\w\-]*|Atza\|[\w\-+/=|]*")


def clip(text: object, limit: int = MAX_TEXT) -> str:
    """A client-supplied text as one line of at most ``limit`` characters."""
    value = text if isinstance(text, str) else repr(text)
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    value = " ".join(value.split())  # newlines and control whitespace cannot forge records
    value = "".join(ch if ch.isprintable() else "?" for ch in value[: limit * 2])
    return value if len(value) <= limit else value[: limit - 1] + "…"


def error_record(event: str, exc: BaseException) -> dict:
    """An unexpected error as a dict message: what, where, and nothing a client can inflate.
    ``log.error(error_record(...))``: the JSON formatter makes its keys the record's fields."""
    frames = traceback.extract_tb(exc.__traceback__)[-FRAMES:]
    return {
        "message": event, "error": type(exc).__name__, "detail": clip(str(exc)),
        "at": [f"{f.filename.rsplit('/', 2)[-1] if f.filename else '?'}:{f.lineno} {f.name}"
               for f in frames],
    }


def scrub(line: str) -> str:
    """``line`` with every Alexa id and token in it replaced."""
    if "amzn1.ask." in line or "eyJ" in line or "Atza|" in line:
        return _PRIVATE.sub("[private]", line)
    return line


_MILLISECONDS = tuple(f".{ms:03d}Z" for ms in range(1000))
# what LogRecord() sets itself, first: extra= fields and later attributes come after these
_RECORD_ATTRIBUTES = len(logging.LogRecord("", logging.INFO, "", 0, "", (), None).__dict__)


class JsonFormatter(OrjsonFormatter):
    """One JSON object per record (the module's docstring has the fields), encoded by orjson:
    the request line is written for every request, and all of it must cost little (README,
    "Metrics and logs"; the standard library's encoder alone took a fifth of the budget)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._second = (0, "")  # the time's seconds, formatted once a second

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        second = int(record.created)
        if second != self._second[0]:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        log_data["time"] = self._second[1] + _MILLISECONDS[int(record.msecs)]
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["pid"] = record.process
        log_data["message"] = record.message
        context = REQUEST.get()
        if context:
            log_data.update(context)
        # then as python-json-logger's own add_fields (a dict message, then the extras), but
        # without its renamed or required fields (none here), and looking for extras only
        # where they are: after the attributes every LogRecord is made with
        log_data.update(message_dict)
        skip = self._skip_fields
        for key, value in islice(record.__dict__.items(), _RECORD_ATTRIBUTES, None):
            if key not in skip and not key.startswith("_"):
                log_data[key] = value

    def jsonify_log_record(self, log_data: dict) -> str:
        try:
            return orjson.dumps(log_data, default=self.json_default).decode()
        except (orjson.JSONEncodeError, TypeError):  # a lone surrogate: escaped by json
            return json.dumps(log_data, default=str)

    def serialize_log_record(self, log_data: dict) -> str:
        return scrub(super().serialize_log_record(log_data))


def handler(stream=None) -> logging.Handler:
    """A handler writing JSON records to ``stream`` (stderr)."""
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(JsonFormatter())
    return out


def lighten() -> None:
    """What no record here shows is not gathered for each (the logging HOWTO's "Optimization"):
    the caller's file and line (a walk up the stack), the thread, the multiprocessing name."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False


def configure(level: str = "INFO") -> None:
    """JSON records on stderr from every logger, Python's warnings included; for a process that
    gunicorn did not configure (``gunicorn_logconfig`` does the same there)."""
    lighten()
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        for old in list(root.handlers):
            root.removeHandler(old)
        root.addHandler(handler())
    root.setLevel(level)
    logging.captureWarnings(True)


def gunicorn_logconfig() -> dict:
    """gunicorn's ``logconfig_dict``: its error log and every other logger through one JSON
    handler on stderr (its access log is off: the endpoint logs each request)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {name: {"level": "INFO", "handlers": [], "propagate": True}
                    for name in ("gunicorn.error", "gunicorn.access")},
    }
