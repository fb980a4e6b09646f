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
    if os.environ.get("REDIS_URL"):
        return
    from skill.config import Config
    from skill.embedded import EmbeddedStore, local_secret

    config = Config.from_env()
    _embedded = EmbeddedStore(config.data_dir)
    os.environ["REDIS_URL"] = _embedded.ensure()
    os.environ.setdefault("CHECKIN_USER_ID_SECRET", local_secret(config.data_dir).decode())


def on_exit(server):
    if _embedded is not None:
        _embedded.stop()
