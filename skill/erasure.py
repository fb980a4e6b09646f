"""Erased means erased on disk: after "forget us" (or SkillDisabled) the embedded store's files
no longer hold the household within 24 hours.

A DEL removes a household from memory, but the append-only file keeps every write made before it
until the file is rewritten, and Redis rewrites a small file only when it doubles. So a forget
leaves a marker, and each worker checks every ten minutes: when the marker is there and no
rewrite ran in the last hour (a key that lives an hour, set only by whoever wins it), it removes
the marker and asks for BGREWRITEAOF, then a background RDB save, which writes both files from
memory alone. A forget during a rewrite sets the marker again, for the next one.

Only for the embedded store: on an external Redis the operator owns its files and backups
(README, "What we keep").
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import redis

from .embedded import URL_FILE
from .errors import StorageError
from .storage import ERASE_PENDING_KEY, ERASE_REWRITE_KEY, Store

log = logging.getLogger("checkin")
REWRITE_AT_MOST_EVERY_S = 3600
CHECK_EVERY_S = 600


def rewrite_if_due(store: Store, every_s: int = REWRITE_AT_MOST_EVERY_S) -> bool:
    """Rewrite the store's files if a forget happened and none ran for ``every_s``."""
    client = store.client
    try:
        if not client.exists(ERASE_PENDING_KEY):
            return False
        if not client.set(ERASE_REWRITE_KEY, "1", nx=True, ex=every_s):
            return False  # another worker rewrote within the hour; the marker waits
        client.delete(ERASE_PENDING_KEY)  # before the rewrite: a later forget marks again
        client.bgrewriteaof()
        client.execute_command("BGSAVE", "SCHEDULE")  # after the rewrite, if one is running
    except (redis.RedisError, OSError) as e:  # down, a rewrite already running, renamed
        log.warning("erasure rewrite not started: %s", type(e).__name__)
        return False
    log.info("erasure rewrite started")
    return True


def is_embedded_url(url: str, data_dir: Path) -> bool:
    """Whether ``url`` is the embedded store of ``data_dir`` (a worker gets it as REDIS_URL)."""
    try:
        return (Path(data_dir) / URL_FILE).read_text().strip() == url.strip()
    except OSError:
        return False


class ErasureSchedule:
    """One checking thread per process, started on first use (and again after a fork)."""

    def __init__(self, store_source, every_s: float = CHECK_EVERY_S):
        self._store_source = store_source
        self._every_s = every_s
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
        threading.Thread(target=self._run, name="erasure", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                rewrite_if_due(self._store_source())
            except StorageError:
                pass  # the store is down; the next check tries again
