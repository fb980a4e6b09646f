"""Gunicorn, from the CLI (``checkin serve``) and from the Procfile (``skill.wsgi:app``)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

# Shared by the CLI and gunicorn.conf.py: gthread workers keep a slow Alexa API call from
# blocking the other requests of a worker.
SETTINGS = {
    "worker_class": "gthread",
    "threads": 4,
    "timeout": 30,
    "graceful_timeout": 10,
    "keepalive": 5,
    "accesslog": None,
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
