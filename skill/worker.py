"""gunicorn's gevent worker with one change: ``select`` is left as it is.

redis-py checks each pooled connection before use with ``select.poll`` and a zero timeout, a
readiness check that never blocks. gevent's patched ``poll`` builds watchers on its loop for it,
about 85 microseconds of CPU per request: a good part of what gevent workers cost beyond the
gthread ones (README, "Performance"). Nothing in the service waits in ``select`` with a timeout:
sockets, redis-py's reads and http.client all wait through gevent's patched sockets.
"""

from __future__ import annotations

from gevent import monkey, socket
from gunicorn.workers.ggevent import GeventWorker as _GunicornGeventWorker


class GeventWorker(_GunicornGeventWorker):
    def patch(self) -> None:
        monkey.patch_all(select=False)
        # as gunicorn's own: the listening sockets become gevent sockets
        self.sockets = [socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach())
                        for s in self.sockets]
