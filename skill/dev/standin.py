"""A local stand-in for the Alexa APIs the skill calls (time zone, reminders).

Used by the test suite and the offline simulator so that nothing reaches Amazon. It answers on
127.0.0.1 and records every call, so tests can assert what the skill asked for.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    method: str
    path: str
    headers: dict
    body: object


@dataclass
class StandinState:
    time_zones: dict[str, str] = field(default_factory=dict)  # deviceId -> zone
    default_zone: str | None = "America/New_York"
    reminders: dict[str, dict] = field(default_factory=dict)  # alertToken -> body
    fail_next: list[int] = field(default_factory=list)  # status codes to answer next, in order
    delay: float = 0.0  # seconds before each answer (a large one: a hanging API)
    drip: float = 0.0  # seconds between the bytes of each answer (a dripping API)
    calls: list[Call] = field(default_factory=list)


class AlexaStandin:
    """``with AlexaStandin() as api: device.api_endpoint = api.url``."""

    def __init__(self) -> None:
        self.state = StandinState()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def calls(self) -> list[Call]:
        return self.state.calls

    def start(self) -> AlexaStandin:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                status, payload = standin._route(self.command, self.path, dict(self.headers), body)
                data = b"" if payload is None else json.dumps(payload).encode()
                if standin.state.drip:
                    return standin._drip(self.wfile, status, data)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # many devices of one household at once

            def handle_error(self, request, client_address) -> None:
                import sys

                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)
                # else: the skill gave up waiting (a timeout test); nothing to report

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> AlexaStandin:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _drip(self, wfile, status: int, data: bytes) -> None:
        """Send the answer one byte at a time, ``state.drip`` seconds apart."""
        import time

        answer = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode() + data
        for byte in answer[:400]:  # bounded: a short answer, a byte at a time
            time.sleep(self.state.drip)
            wfile.write(bytes([byte]))
            wfile.flush()

    # -- what outlives one run ---------------------------------------------------------------

    def snapshot(self) -> dict:
        """What a later run needs to carry on, as JSON: the reminders the skill created, by
        token. (Time zones are set by whoever starts the stand-in; calls, injected failures
        and delays belong to one run.)"""
        with self._lock:
            return {"reminders": dict(self.state.reminders)}

    def restore(self, snapshot: dict) -> None:
        """Take back what :meth:`snapshot` returned, next to anything the stand-in holds now."""
        reminders = snapshot.get("reminders") if isinstance(snapshot, dict) else None
        if isinstance(reminders, dict):
            with self._lock:
                self.state.reminders.update(reminders)

    # -- the APIs ----------------------------------------------------------------------------

    def _route(self, method: str, path: str, headers: dict, body) -> tuple[int, object]:
        import time

        s = self.state
        with self._lock:
            s.calls.append(Call(method, path, headers, body))
            failure = s.fail_next.pop(0) if s.fail_next else None
        if s.delay:
            time.sleep(s.delay)
        if failure is not None:
            return failure, {"code": "STANDIN_FAILURE", "message": f"status {failure}"}
        if not headers.get("Authorization", headers.get("authorization", "")).startswith("Bearer "):
            return 401, {"code": "UNAUTHORIZED", "message": "no bearer token"}
        parts = [p for p in path.split("?")[0].split("/") if p]
        # GET /v2/devices/{deviceId}/settings/System.timeZone
        if method == "GET" and len(parts) == 5 and parts[:2] == ["v2", "devices"] \
                and parts[3:] == ["settings", "System.timeZone"]:
            zone = s.time_zones.get(parts[2], s.default_zone)
            if zone is None:
                return 204, None
            return 200, zone
        if parts[:3] == ["v1", "alerts", "reminders"]:
            return self._reminders(method, parts[3:], body)
        return 404, {"code": "NOT_FOUND", "message": path}

    def _reminders(self, method: str, rest: list[str], body) -> tuple[int, object]:
        s = self.state
        if method == "POST" and not rest:
            token = str(uuid.uuid4())
            with self._lock:
                s.reminders[token] = body
            return 201, {"alertToken": token, "createdTime": "2026-12-01T00:00:00.000Z",
                         "updatedTime": "2026-12-01T00:00:00.000Z", "status": "ON",
                         "version": "1", "href": f"/v1/alerts/reminders/{token}"}
        if len(rest) == 1:
            token = rest[0]
            if token not in s.reminders:
                return 404, {"code": "NOT_FOUND", "message": "no such reminder"}
            if method == "GET":
                return 200, {"alertToken": token, **s.reminders[token]}
            if method == "PUT":
                with self._lock:
                    s.reminders[token] = body
                return 200, {"alertToken": token, "status": "ON", "version": "2"}
            if method == "DELETE":
                with self._lock:
                    del s.reminders[token]
                return 200, None
        return 405, {"code": "METHOD_NOT_ALLOWED", "message": method}
