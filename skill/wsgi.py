"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py skill.wsgi:app``.

Importing this module builds the app from the environment (this is the one place where that
happens); everything else calls ``create_app`` itself.
"""

from __future__ import annotations

import logging

from .app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
app = create_app()
