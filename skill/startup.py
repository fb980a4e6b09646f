"""What every start of the service checks before gunicorn forks a worker, for ``checkin serve``
and for the Procfile (``gunicorn.conf.py``) alike: the whole configuration, then the store
(``embedded.start_before_workers``, told whether the service listens publicly). A problem is one
line on stderr and exit status 2, never a worker's traceback."""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterable

from .config import Config
from .embedded import EmbeddedStore, start_before_workers
from .errors import CheckinError

Address = tuple[str, int] | str  # gunicorn's form: (host, port), or a unix socket path


def is_public(address: Address) -> bool:
    """True unless the address is a unix socket or a loopback interface."""
    if not isinstance(address, tuple):
        return False
    host = address[0].strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name other than localhost: assume it is reachable from outside


def prepare(addresses: Iterable[Address], config: Config | None = None) -> EmbeddedStore | None:
    """Check the configuration (from the environment unless given) and start the embedded store
    if it is the store; the workers' environment then points at it. Raises ConfigError or
    CommandError."""
    config = config or Config.from_env()
    public = any(is_public(address) for address in addresses)
    embedded, env_updates = start_before_workers(config, public=public)
    os.environ.update(env_updates)
    return embedded


def prepare_or_exit(addresses: Iterable[Address]) -> EmbeddedStore | None:
    """``prepare`` for gunicorn's ``on_starting`` hook: gunicorn prints a traceback for any
    exception there, so a configuration problem becomes one line and exit status 2 here."""
    try:
        return prepare(addresses)
    except CheckinError as e:
        print(f"checkin: error: {e}", file=sys.stderr, flush=True)
        sys.exit(2)
