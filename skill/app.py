"""The Flask app factory: the Alexa endpoint, health and readiness. Nothing connects at import."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from ask_sdk_model import RequestEnvelope
from ask_sdk_model.request import Request as _AlexaRequest
from cryptography import x509
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from speech import Content

from . import fastser
from .alexa_api import TimeoutApiClient
from .config import Config
from .embedded import locate
from .household import Services, Turn
from .errors import EnvelopeError, StorageError, VerificationError
from .storage import Store, connect
from .verify import RequestVerifier, fetch_chain, parse_envelope

log = logging.getLogger("checkin")
EMPTY_RESPONSE = {"version": "1.0", "response": {}}
_KNOWN_TYPES = frozenset(_AlexaRequest.discriminator_value_class_map)


class StoreProvider:
    """Builds the Redis client on first use: a cluster client connects when it is built, so an
    unreachable cluster fails that request only, and the next request tries again."""

    def __init__(self, url_source: Callable[[], str], timeout: float):
        self._url_source = url_source
        self._timeout = timeout
        self._store: Store | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Store:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                try:
                    self._store = Store(connect(self._url_source(), self._timeout))
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


def _json(code: int, **body) -> Response:
    return Response(json.dumps(body), status=code, mimetype="application/json")


def create_app(
    config: Config | None = None,
    *,
    roots: list[x509.Certificate] | None = None,
    chain_fetcher: Callable[[str], bytes] | None = None,
    clock: Callable[[], float] | None = None,
    content: Content | None = None,
) -> Flask:
    """Build the service. `roots`, `chain_fetcher` and `clock` let tests run their own CA."""
    config = config or Config.from_env()
    config.validate()
    clock = clock or time.time

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.config["CHECKIN"] = config
    logging.getLogger("checkin").setLevel(config.log_level)

    location = locate(config)
    services = Services(
        store_provider=StoreProvider(location.url, config.redis_timeout),
        secret=location.secret,
        content=content or Content(),
        default_timezone=config.default_timezone,
    )
    verifier = None
    if config.verify:
        verifier = RequestVerifier(config.skill_id, roots=roots,
                                   fetcher=chain_fetcher or fetch_chain, clock=clock)
    else:
        log.warning("request verification is OFF: use only for local development")

    from intents import build_skill

    skill = build_skill(TimeoutApiClient(config.api_timeout))
    app.extensions["checkin"] = {"services": services, "verifier": verifier, "skill": skill,
                                 "embedded": location.embedded}

    @app.post("/")
    def alexa() -> Response:
        started = time.perf_counter()
        outcome, rtype, intent = "ok", "-", "-"
        try:
            body = request.get_data(cache=False)
            try:
                if verifier is not None:
                    envelope = verifier.verify(request.headers, body)
                else:
                    envelope = parse_envelope(body)
            except (VerificationError, EnvelopeError) as e:
                outcome = "rejected"
                return _json(400, error="bad_request", reason=str(e))
            req = envelope["request"]
            rtype = req["type"]
            if isinstance(req.get("intent"), dict):
                intent = str(req["intent"].get("name", "-"))
            if rtype not in _KNOWN_TYPES:
                outcome = "ignored"
                return _json(200, **EMPTY_RESPONSE)
            try:
                request_envelope = fastser.deserialize(envelope, RequestEnvelope)
            except Exception:
                outcome = "rejected"
                return _json(400, error="bad_request",
                             reason="body is not a valid Alexa request envelope")
            turn = Turn(services=services, envelope=envelope, received_at=clock())
            response = skill.invoke(request_envelope=request_envelope, context=turn)
            if turn.storage_failed:
                outcome = "ok-degraded"
            return _json(200, **fastser.serialize(response))
        finally:
            log.info(json.dumps({
                "event": "request", "type": rtype, "intent": intent, "outcome": outcome,
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            }))

    @app.get("/healthz")
    def healthz() -> Response:
        return _json(200, status="ok")

    @app.get("/readyz")
    def readyz() -> Response:
        try:
            services.store().ping()
        except StorageError as e:
            return _json(503, status="unavailable", reason=f"storage unreachable: {e}")
        return _json(200, status="ready")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Response:
        return _json(e.code or 500, error=e.name.lower().replace(" ", "_"), reason=e.description)

    @app.errorhandler(Exception)
    def unexpected(e: Exception) -> Response:
        # The skill's own exception handler speaks an apology for handler errors; this is the
        # last line for anything outside it, so Alexa never sees a 5xx.
        log.exception("unexpected error outside the skill")
        return _json(200, **services.content.for_locale(None).apology_response())

    return app
