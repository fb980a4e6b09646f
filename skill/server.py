"""Gunicorn, from ``checkin serve`` and from the Procfile (``gunicorn.conf.py``): one set of
settings, and the embedded store started once in the master before the workers fork."""

from __future__ import annotations

import argparse
import errno
import glob
import logging
import os
import shutil
import socket
import tempfile

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as _GunicornLogger

from .config import Config, redact
from .errors import CommandError
from .logline import configure as configure_logs, gunicorn_logconfig
from .startup import prepare

log = logging.getLogger("checkin")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # = skill.metrics.MULTIPROC_ENV (not imported here:
# prometheus_client must not be imported by the master before the directory is set)

# -- the master's hooks: metrics shared by the workers, and one log format --------------------
# prometheus-client's multiprocess mode (skill/metrics.py): the master names an empty directory
# before the first worker forks; each worker writes its counts there; a worker's exit is marked.

def _master_starting(server) -> None:
    """Before any worker forks: logging as the workers will have it (gunicorn's dictConfig has
    set the JSON handler; warnings become records), and the metrics directory (the operator's
    PROMETHEUS_MULTIPROC_DIR, emptied, or a new one removed at exit)."""
    configure_logs()
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        os.makedirs(path, exist_ok=True)
        for stale in glob.glob(os.path.join(path, "*.db")):  # a previous run's counts
            os.remove(stale)
    else:
        path = tempfile.mkdtemp(prefix="checkin-metrics-")
        server.checkin_metrics_dir = path  # ours: removed in on_exit
    os.environ[MULTIPROC_ENV] = path


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger, without an access log unless ``accesslog`` asks for one: gunicorn turns
    it on whenever ``logconfig_dict`` is set, and the endpoint's request line says more, once."""

    def access(self, resp, req, environ, request_time) -> None:
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


def _worker_exited(server, worker) -> None:
    """A worker's live gauges go with it (its counters stay: they are part of the totals)."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        from prometheus_client import multiprocess  # after the directory is set

        multiprocess.mark_process_dead(worker.pid, path)


def _master_exiting(server) -> None:
    path = getattr(server, "checkin_metrics_dir", None)
    if path:
        shutil.rmtree(path, ignore_errors=True)


# Shared by the CLI and gunicorn.conf.py. gevent workers: each connection waits as a greenlet,
# not a thread, so idle or trickling clients cost a little memory and hold no worker, and a slow
# Alexa API call blocks no other request. The keep-alive time (5 s) is also the deadline for a
# request's headers (gunicorn's async workers read them under it); the endpoint gives the body a
# deadline of its own (CHECKIN_BODY_TIMEOUT_MS). README, "Deploying" and "Performance".
def _before_patching(server, worker) -> None:
    """gevent warns that ``ssl`` was imported before its patch: the master imports redis, whose
    only module that keeps a direct reference to it is redis.asyncio, which the service never
    uses (everything else looks ``ssl`` up when it calls it, after the patch)."""
    import warnings

    warnings.filterwarnings("ignore", message="Monkey-patching ssl after ssl has already")


SETTINGS = {
    "worker_class": "skill.worker.GeventWorker",  # gunicorn's gevent worker, select unpatched
    "post_fork": _before_patching,  # runs in the worker before gevent patches it
    "on_starting": _master_starting,
    "child_exit": _worker_exited,
    "on_exit": _master_exiting,
    # every record one JSON object on stderr, gunicorn's own included (skill/logline.py)
    "logconfig_dict": gunicorn_logconfig(),
    "logger_class": GunicornLogger,
    "worker_connections": 1000,
    "timeout": 30,
    "graceful_timeout": 10,
    "keepalive": 5,
    "accesslog": None,
    # gunicorn 23+ opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl):
    # two services on one machine would fight over it, and nothing here uses it.
    "control_socket_disable": True,
}


class _App(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .wsgi import app

        return app


def run_gunicorn(host: str, port: int, workers: int) -> int:
    options = dict(SETTINGS, bind=f"{host}:{port}", workers=workers)
    _App(options).run()
    return 0


# -- checkin serve ------------------------------------------------------------------------------

def bounded_number(name: str, low: float, high: float, kind: type = int):
    """An argparse type for a number of `kind` (int or float) in [low, high], with a clear
    message."""
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, not {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be between {low} and {high}, not {number}")
        return number
    return parse


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise CommandError(f"port {port} on {host} is already in use") from None
            raise CommandError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def serve(args: argparse.Namespace) -> int:
    overrides = {"verify": False} if args.no_verify else {}
    config = Config.from_env(**overrides)
    _check_port_free(args.host, args.port)
    configure_logs()  # as gunicorn will: JSON records on stderr, the start's checks' included
    embedded = prepare([(args.host, args.port)], config)
    if embedded is not None:
        store_text = f"embedded Redis at {embedded.url} (data in {embedded.data_dir})"
    else:
        store_text = f"Redis at {redact(config.redis_url)}"
    if args.no_verify:
        os.environ["CHECKIN_VERIFY"] = "false"  # the workers warn, each in its own record
    log.info(f"Our Check-In listening on http://{args.host}:{args.port}/ "
             f"({args.workers} worker{'s' if args.workers != 1 else ''}); store: {store_text}")
    try:
        return run_gunicorn(args.host, args.port, args.workers)
    finally:
        if embedded is not None:
            embedded.stop()


def add_command(subparsers) -> None:
    p = subparsers.add_parser("serve", help="run the web service under gunicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=bounded_number("port", 1, 65535),
                   default=os.environ.get("PORT", "8080"),
                   help="port to listen on (default $PORT or 8080)")
    p.add_argument("--workers", type=bounded_number("workers", 1, 64), default=2,
                   help="worker processes (default 2)")
    p.add_argument("--no-verify", action="store_true",
                   help="accept unsigned requests (local use only: never in production)")
    p.set_defaults(func=serve)
