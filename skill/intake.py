"""Taking a request's body in: its size, its framing, its time, and how deep its JSON goes.

Every odd byte gets a clear answer before anything else runs: 413 for a body over the limit
(declared or, for a chunked body, counted), 400 with a reason for broken framing (a bad chunk
size, a body that ends early), 408 for a body that is not all there within its deadline, and 400
for JSON nested deeper than any Alexa envelope is. No traceback: these are the client's errors.
"""

from __future__ import annotations

import re
import socket

from .deadlines import deadline, shut_down

MAX_JSON_DEPTH = 32  # Alexa's envelopes go about 10 deep (entity resolution values)
_READ = 64 * 1024
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(rb"[\[\]{}]")


class BodyError(Exception):
    """A body the service will not take; ``status`` and ``reason`` are the answer."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def read_body(environ: dict, limit: int, timeout: float) -> bytes:
    """The whole body, at most ``limit`` bytes, within ``timeout`` seconds. After a refusal the
    connection's reading side is shut, so the server closes it once the answer is sent instead
    of reading on through the rest of the body."""
    try:
        return _read(environ, limit, timeout)
    except BodyError:
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            shut_down(sock, socket.SHUT_RD)
        raise


def _read(environ: dict, limit: int, timeout: float) -> bytes:
    declared = environ.get("CONTENT_LENGTH") or None
    if declared is not None:
        if not declared.isdigit():
            raise BodyError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise BodyError(413, f"body is larger than {limit} bytes")
    stream = environ["wsgi.input"]
    sock = environ.get("gunicorn.socket")  # absent in-process (tests, the simulator)
    chunks: list[bytes] = []
    size = 0
    with deadline(timeout) as d:
        if sock is not None:
            d.watch(sock, socket.SHUT_RD)  # a late body ends the read; the answer still goes out
        try:
            while True:
                data = stream.read(min(_READ, limit + 1 - size))
                if not data:
                    break
                chunks.append(data)
                size += len(data)
                if size > limit:
                    raise BodyError(413, f"body is larger than {limit} bytes")
        except BodyError:
            raise
        except Exception as e:  # gunicorn's framing errors, a peer gone, a cut read
            if d.expired:
                raise BodyError(408, f"body not received within {timeout:g} s") from None
            raise BodyError(400, f"malformed request body framing ({type(e).__name__})") from None
        if d.expired:
            raise BodyError(408, f"body not received within {timeout:g} s")
    body = b"".join(chunks)
    if declared is not None and len(body) != int(declared):
        raise BodyError(400, "body is shorter than its Content-Length")
    return body


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON nests deeper than ``limit`` (strings skipped). Cheap for real envelopes:
    the scan runs only when there are more brackets than the limit."""
    if body.count(b"{") + body.count(b"[") <= limit:
        return False
    depth = 0
    for m in _BRACKETS.finditer(_STRINGS.sub(b'""', body)):
        if m.group() in (b"{", b"["):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
