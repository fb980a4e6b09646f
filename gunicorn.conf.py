# Gunicorn settings for the Procfile; `checkin serve` uses the same ones (skill/server.py).
# With no REDIS_URL, the master starts the embedded store once, before forking the workers,
# and stops it when gunicorn exits.
import os

from skill.server import SETTINGS

globals().update(SETTINGS)
bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

_embedded = None


def on_starting(server):
    global _embedded
    from skill.config import Config
    from skill.embedded import start_before_workers

    _embedded, env_updates = start_before_workers(Config.from_env())
    os.environ.update(env_updates)


def on_exit(server):
    if _embedded is not None:
        _embedded.stop()
