"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py skill.wsgi:app``.

Importing this module builds the app from the environment (this is the one place where that
happens); everything else calls ``create_app`` itself.
"""

from __future__ import annotations

from .app import create_app
from .logline import configure

configure()  # JSON records on stderr, unless gunicorn's logconfig_dict already does that
app = create_app()
