"""The Flask app factory: wiring only. Nothing connects at import; tests build their own app."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from cryptography import x509
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from speech import Content

from . import pages
from .alexa_api import TimeoutApiClient
from .config import Config
from .embedded import locate
from .endpoint import KNOWN_TYPES, AlexaEndpoint, json_response
from .erasure import ErasureSchedule, is_embedded_url
from .errors import StorageError
from .household import Services
from .logline import error_record
from .memory import readiness_problem
from .metrics import Labels, Metrics, from_environment, model_intents
from .storage import Store, connect
from .verify import RequestVerifier, fetch_chain

log = logging.getLogger("checkin")


class StoreProvider:
    """Builds the Redis client on first use: a cluster client connects when it is built, so an
    unreachable cluster fails that request only, and the next request tries again."""

    def __init__(self, url_source: Callable[[], str], timeout: float,
                 mark_erasures: bool = False):
        self._url_source = url_source
        self._timeout = timeout
        self._mark_erasures = mark_erasures
        self._store: Store | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Store:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                try:
                    self._store = Store(connect(self._url_source(), self._timeout),
                                        mark_erasures=self._mark_erasures)
                except Exception as e:
                    raise StorageError(f"cannot connect: {type(e).__name__}: {e}") from e
            return self._store

    def close(self) -> None:
        """Close the Redis connections, if a client was ever built."""
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.client.close()


def close_app(app: Flask) -> None:
    """Release what an app holds (its Redis connections); for tools and tests that build many."""
    services = app.extensions.get("checkin", {}).get("services")
    if services is not None:
        services.store_provider.close()
    erasure = app.extensions.get("checkin", {}).get("erasure")
    if erasure is not None:
        erasure.stop()


def _add_health_and_errors(app: Flask, services: Services, allow_eviction: bool) -> None:
    @app.get("/healthz")
    def healthz() -> Response:
        return json_response(200, status="ok")

    @app.get("/readyz")
    def readyz() -> Response:
        try:
            problem = readiness_problem(services.store(), allow_eviction)
        except StorageError as e:
            problem = f"storage unreachable: {e}"
        if problem is not None:
            return json_response(503, status="unavailable", reason=problem)
        return json_response(200, status="ready")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        return json_response(e.code or 500, error=e.name.lower().replace(" ", "_"),
                             reason=e.description)

    @app.errorhandler(Exception)
    def unexpected(e: Exception) -> Response:
        # The skill's own exception handler speaks an apology for handler errors; this is the
        # last line for anything outside it, so Alexa never sees a 5xx.
        log.error(error_record("unexpected error outside the skill", e))
        return json_response(200, **services.content.for_locale(None).apology_response())


def _add_metrics(app: Flask, metrics: Metrics, token: str) -> None:
    """``GET /metrics`` for a bearer of the token; without a token set, not served at all."""
    if not token:
        return
    expected = f"Bearer {token}".encode()

    @app.get("/metrics")
    def scrape() -> Response:
        given = request.headers.get("Authorization", "")
        if not given:
            response = json_response(401, error="unauthorized", reason="a bearer token is needed")
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected):
            return json_response(403, error="forbidden", reason="wrong bearer token")
        return Response(metrics.exposition(), mimetype="text/plain",
                        content_type="text/plain; version=0.0.4; charset=utf-8")


def _verifier(config: Config, roots, chain_fetcher, clock) -> RequestVerifier | None:
    if not config.verify:
        log.warning("request verification is OFF: use only for local development")
        return None
    return RequestVerifier(
        config.skill_id, roots=roots, clock=clock,
        fetcher=chain_fetcher or partial(fetch_chain, timeout=config.chain_timeout),
        fetches_in_flight=config.chain_max_in_flight, failed_retry_s=config.chain_retry_s)


def create_app(
    config: Config | None = None,
    *,
    roots: list[x509.Certificate] | None = None,
    chain_fetcher: Callable[[str], bytes] | None = None,
    clock: Callable[[], float] | None = None,
    content: Content | None = None,
    metrics: Metrics | None = None,
) -> Flask:
    """Build the service. `roots`, `chain_fetcher` and `clock` let tests run their own CA;
    `metrics` defaults to the process's (shared with the other workers under gunicorn)."""
    config = config or Config.from_env()
    config.validate()
    clock = clock or time.time

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.config["CHECKIN"] = config
    logging.getLogger("checkin").setLevel(config.log_level)

    location = locate(config)
    embedded = location.embedded is not None or is_embedded_url(config.redis_url,
                                                                   config.data_dir)
    services = Services(
        store_provider=StoreProvider(location.url, config.redis_timeout, mark_erasures=embedded),
        secret=location.secret,
        content=content or Content(),
        default_timezone=config.default_timezone,
        previous_secret=config.user_id_secret_previous.encode() or None,
    )
    verifier = _verifier(config, roots, chain_fetcher, clock)

    from intents import DISCREET_INTENTS, build_skill

    metrics = metrics or from_environment()
    skill = build_skill(TimeoutApiClient(config.api_timeout, config.api_max_in_flight,
                                         config.breaker_failures, config.breaker_open_s,
                                         metrics=metrics))
    erasure = None
    if embedded:
        erasure = ErasureSchedule(services.store)  # erased means erased on disk, too
        erasure.start()
    app.extensions["checkin"] = {"services": services, "verifier": verifier, "skill": skill,
                                 "embedded": location.embedded, "erasure": erasure,
                                 "metrics": metrics}
    labels = Labels(KNOWN_TYPES, model_intents(), discreet=DISCREET_INTENTS)
    app.add_url_rule("/", "alexa", AlexaEndpoint(skill, services, verifier, clock, metrics,
                                                 labels, max_body_bytes=config.max_body_bytes,
                                                 body_timeout=config.body_timeout),
                     methods=["POST"])

    _add_health_and_errors(app, services, config.allow_eviction)
    _add_metrics(app, metrics, config.metrics_token)
    pages.register(app)  # /privacy, /terms; the icons are files in skill/static/
    return app
