"""Gunicorn, from ``checkin serve`` and from the Procfile (``gunicorn.conf.py``): one set of
settings, and the embedded store started once in the master before the workers fork."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

from gunicorn.app.base import BaseApplication

from .config import Config, redact
from .errors import CommandError
from .startup import prepare

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

def bounded_int(name: str, low: int, high: int):
    """An argparse type for a whole number in [low, high], with a clear message."""
    def parse(value: str) -> int:
        try:
            number = int(value)
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
    embedded = prepare([(args.host, args.port)], config)
    env_updates = {}
    if embedded is not None:
        store_text = f"embedded Redis at {embedded.url} (data in {embedded.data_dir})"
    else:
        store_text = f"Redis at {redact(config.redis_url)}"
    if args.no_verify:
        env_updates["CHECKIN_VERIFY"] = "false"
        print("WARNING: request verification is OFF; use only for local development",
              file=sys.stderr)
    os.environ.update(env_updates)
    print(f"Our Check-In listening on http://{args.host}:{args.port}/ "
          f"({args.workers} worker{'s' if args.workers != 1 else ''}); store: {store_text}",
          flush=True)
    try:
        return run_gunicorn(args.host, args.port, args.workers)
    finally:
        if embedded is not None:
            embedded.stop()


def add_command(subparsers) -> None:
    p = subparsers.add_parser("serve", help="run the web service under gunicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=bounded_int("port", 1, 65535),
                   default=os.environ.get("PORT", "8080"),
                   help="port to listen on (default $PORT or 8080)")
    p.add_argument("--workers", type=bounded_int("workers", 1, 64), default=2,
                   help="worker processes (default 2)")
    p.add_argument("--no-verify", action="store_true",
                   help="accept unsigned requests (local use only: never in production)")
    p.set_defaults(func=serve)
