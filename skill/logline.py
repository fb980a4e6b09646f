"""Log records that stay readable whatever a client sends: texts from outside are cut and made
one line, and an error is one compact record (its type, its message cut, the last few frames)
instead of a traceback that a deeply nested body can make thousands of lines long."""

from __future__ import annotations

import json
import traceback

MAX_TEXT = 200
FRAMES = 5


def clip(text: object, limit: int = MAX_TEXT) -> str:
    """A client-supplied text as one line of at most ``limit`` characters."""
    value = text if isinstance(text, str) else repr(text)
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    value = " ".join(value.split())  # newlines and control whitespace cannot forge records
    value = "".join(ch if ch.isprintable() else "?" for ch in value[: limit * 2])
    return value if len(value) <= limit else value[: limit - 1] + "…"


def error_record(event: str, exc: BaseException) -> str:
    """One JSON line for an unexpected error: what, where, and nothing a client can inflate."""
    frames = traceback.extract_tb(exc.__traceback__)[-FRAMES:]
    return json.dumps({
        "event": event, "error": type(exc).__name__, "message": clip(str(exc)),
        "at": [f"{f.filename.rsplit('/', 2)[-1] if f.filename else '?'}:{f.lineno} {f.name}"
               for f in frames],
    })
