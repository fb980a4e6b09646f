"""The servers of a run, on loopback: a private Redis, and gunicorn masters started with the
production settings (``skill.server.SETTINGS``), timed from process start to their first answers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from skill.redis_server import RedisServer

from ..ports import free_port
from . import BenchError
from .wire import RAW_HEALTHZ, Client


def start_redis(directory: Path, attempts: int = 5) -> RedisServer:
    """A private Redis on a free loopback port, not persisted."""
    for _ in range(attempts):
        try:
            return RedisServer(directory, port=free_port(), persist=False).start()
        except Exception as e:  # a port taken between choosing and binding: try another
            last_error = e
    raise BenchError(f"cannot start Redis: {last_error}")


def gunicorn_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without the service's own settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CHECKIN_", "GUNICORN_")) and k not in
           ("REDIS_URL", "ALEXA_SKILL_ID", "WEB_CONCURRENCY", "PORT")}
    env.update(extra)
    return env


def _http_once(port: int, raw: bytes, timeout: float = 5.0):
    client = Client(port, timeout=timeout)
    try:
        return client.request(raw)
    finally:
        client.close()


class Gunicorn:
    """One gunicorn master started with the production settings and a given app factory."""

    def __init__(self, name: str, factory: str, port: int, workers: int, env: dict[str, str],
                 workdir: Path, settings: dict | None = None):
        self.name, self.factory, self.port, self.workers = name, factory, port, workers
        self.settings = settings or {}  # on top of SETTINGS
        self.env, self.workdir = env, workdir
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, first_post: bytes, timeout: float = 60.0) -> dict:
        """Start, and time process start -> first 200 on /healthz -> first 200 on POST /."""
        conf = self.workdir / f"gunicorn-{self.name}.conf.py"
        conf.write_text(textwrap.dedent(f"""\
            # written by `checkin bench`: the settings of skill/server.py, on loopback
            from skill.server import SETTINGS

            globals().update(SETTINGS)
            bind = "127.0.0.1:{self.port}"
            workers = {self.workers}
            """) + "".join(f"{k} = {v!r}\n" for k, v in self.settings.items()))
        log = open(self.log_path, "wb")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(conf), self.factory],
            cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = started + timeout
        healthz = self._poll(RAW_HEALTHZ, deadline)
        healthz_s = time.perf_counter() - started
        status = self._poll(first_post, deadline, want_status=None)
        post_s = time.perf_counter() - started
        if status != 200:
            raise BenchError(f"{self.name}: the first POST / got HTTP {status}: "
                             f"{self.log_tail()}")
        self.wait_workers(deadline)
        return {"healthz_s": round(healthz_s, 3), "first_post_s": round(post_s, 3),
                "healthz_status": healthz}

    def _poll(self, raw: bytes, deadline: float, want_status: int | None = 200) -> int:
        for _ in range(100_000):
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode}: "
                                 f"{self.log_tail()}")
            if time.perf_counter() > deadline:
                break
            try:
                status = _http_once(self.port, raw)[0]
            except OSError:
                time.sleep(0.005)
                continue
            if want_status is None or status == want_status:
                return status
            time.sleep(0.005)
        raise BenchError(f"{self.name} did not answer in time: {self.log_tail()}")

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.proc.pid, *(int(p) for p in self.worker_pids())]

    def worker_pids(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return re.findall(r"Booting worker with pid: (\d+)", text)

    def wait_workers(self, deadline: float) -> None:
        for _ in range(100_000):
            if len(self.worker_pids()) >= self.workers or time.perf_counter() > deadline:
                return
            time.sleep(0.02)

    def log_tail(self, lines: int = 15) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
