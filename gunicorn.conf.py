# Gunicorn settings for the Procfile; `checkin serve` uses the same ones (skill/server.py).
# Before any worker forks, the master checks the whole configuration and, with no REDIS_URL,
# starts the embedded store (refused on a public bind unless CHECKIN_DATA_DIR is set): a problem
# is one line on stderr and exit status 2 (skill/startup.py). It stops the store on exit.
# SETTINGS' own hooks (skill/server.py: the workers' shared metrics directory) run from these.
import os

from skill.server import SETTINGS

globals().update(SETTINGS)
bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

_embedded = None


def on_starting(server):
    global _embedded
    from skill.startup import prepare_or_exit

    _embedded = prepare_or_exit(server.cfg.address)
    SETTINGS["on_starting"](server)  # the metrics directory, warnings as log records


def on_exit(server):
    SETTINGS["on_exit"](server)
    if _embedded is not None:
        _embedded.stop()
