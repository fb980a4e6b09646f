"""Where the households live: ``REDIS_URL``, or else the embedded store, one private
redis-server per data directory, shared by every worker. This module is the one place that
decides between them.

Whoever finds no server answering on the data directory's socket starts one (under a file lock,
so two workers never both do) and stops it when it exits; the others only connect.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import CommandError
from .memory import check_url_at_start
from .redis_server import RedisServer

URL_FILE = "redis.url"
SECRET_FILE = "user-id-secret"


class EmbeddedStore:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir).resolve()
        self.server: RedisServer | None = None  # set when this process owns the server
        self.url: str | None = None
        self._owner_pid: int | None = None  # forked workers inherit the object, not the server

    def _running_url(self) -> str | None:
        url_file = self.data_dir / URL_FILE
        if not url_file.exists():
            return None
        url = url_file.read_text().strip()
        probe = RedisServer(self.data_dir)
        probe.socket_path = Path(url.removeprefix("unix://"))
        return url if probe.ping() else None

    def ensure(self) -> str:
        """The URL of the data directory's server, started here if none answers."""
        if self.url:
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                url = self._running_url()
                if url is None:
                    self.server = RedisServer(self.data_dir).start()
                    self._owner_pid = os.getpid()
                    url = self.server.url
                    (self.data_dir / URL_FILE).write_text(url + "\n")
                    atexit.register(self.stop)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        self.url = url
        return url

    def stop(self) -> None:
        """Stop the server, in the process that started it only: a gunicorn worker inherits this
        object (and its atexit hook) from the master, and must not take the store away."""
        if self._owner_pid != os.getpid():
            return
        if self.server is not None:
            self.server.stop()
            self.server = None
            (self.data_dir / URL_FILE).unlink(missing_ok=True)
        self.url = None


def local_secret(data_dir: Path) -> bytes:
    """A random pseudonymisation secret kept beside the embedded store's data."""
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_hex(32).encode())
        try:
            os.link(tmp, path)  # atomic: the first writer wins, nobody reads a half file
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_bytes().strip()


@dataclass(frozen=True)
class StoreLocation:
    url: Callable[[], str]  # called on first use: the embedded store starts then, if needed
    secret: bytes  # the HMAC key for user and device ids
    embedded: EmbeddedStore | None


def uses_embedded(config: Config) -> bool:
    return not config.redis_url


def locate(config: Config) -> StoreLocation:
    """``REDIS_URL`` with its secret, or the embedded store in the data directory."""
    if not uses_embedded(config):
        url = config.redis_url
        return StoreLocation(lambda: url, config.user_id_secret.encode(), None)
    embedded = EmbeddedStore(config.data_dir)
    secret = (config.user_id_secret.encode() if config.user_id_secret
              else local_secret(config.data_dir))
    return StoreLocation(embedded.ensure, secret, embedded)


def start_before_workers(config: Config, *, public: bool = False
                         ) -> tuple[EmbeddedStore | None, dict[str, str]]:
    """For a server that forks workers: start the embedded store (if it is the store) once, in
    the master, and return the environment that points the workers at it.

    `public`: the server listens on an interface other than loopback, so this is a deploy, not a
    laptop. There the embedded store runs only in a data directory the operator named: the
    default (``./.checkin-data`` in the working directory) is wiped with the disk of many
    platforms at each restart or deploy, and every household with it."""
    if not uses_embedded(config):
        check_url_at_start(config.redis_url, config.redis_timeout, config.allow_eviction)
        return None, {}
    if public and not config.data_dir_explicit:
        raise CommandError(
            "refusing to start: this listens on a public interface with no REDIS_URL, so the "
            "households would live in ./.checkin-data, which many hosts wipe at each deploy; "
            "set REDIS_URL (and CHECKIN_USER_ID_SECRET), or CHECKIN_DATA_DIR to a directory on "
            "a disk that persists")
    try:
        location = locate(config)
        url = location.url()
    except Exception as e:
        raise CommandError(f"cannot start the embedded store: {e}") from None
    return location.embedded, {"REDIS_URL": url,
                               "CHECKIN_USER_ID_SECRET": location.secret.decode()}
