"""The Alexa endpoint, ``POST /``: verify, decode, invoke the skill, encode, log one line.

Verification and envelope errors are HTTP 400 with a reason; request types the SDK does not know
get an empty 200; anything the skill raises is answered by its own exception handler (a spoken
apology), so Alexa never sees a 5xx from here.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.request import Request as _AlexaRequest
from flask import Response, request

from .errors import EnvelopeError, VerificationError
from .household import Services, Turn
from .intake import BodyError, read_body
from .verify import RequestVerifier, parse_envelope

log = logging.getLogger("checkin")
EMPTY_RESPONSE = {"version": "1.0", "response": {}}
_KNOWN_TYPES = frozenset(_AlexaRequest.discriminator_value_class_map)
_ERRORS = {408: "request_timeout", 413: "request_entity_too_large"}


def json_response(code: int, **body) -> Response:
    return Response(json.dumps(body), status=code, mimetype="application/json")


class AlexaEndpoint:
    """The Flask view for Alexa's requests; one per app."""

    def __init__(self, skill: CustomSkill, services: Services, verifier: RequestVerifier | None,
                 clock: Callable[[], float], discreet: frozenset[str] = frozenset(),
                 max_body_bytes: int = 131072, body_timeout: float = 5.0):
        self.max_body_bytes, self.body_timeout = max_body_bytes, body_timeout
        self.skill = skill
        self.services = services
        self.verifier = verifier
        self.clock = clock
        # Intents whose name alone would say something private ("SafetyIntent"): the request
        # line shows them as "-", like any intent request it does not name.
        self.discreet = discreet

    def __call__(self) -> Response:
        started = time.perf_counter()
        outcome = {"outcome": "ok", "type": "-", "intent": "-"}
        try:
            try:
                body = read_body(request.environ, self.max_body_bytes, self.body_timeout)
            except BodyError as e:
                outcome["outcome"] = "rejected"
                return json_response(e.status, error=_ERRORS.get(e.status, "bad_request"),
                                     reason=e.reason)
            return self._answer(body, outcome)
        finally:
            log.info(json.dumps({
                "event": "request", "type": outcome["type"], "intent": outcome["intent"],
                "outcome": outcome["outcome"],
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            }))

    def _answer(self, body: bytes, outcome: dict) -> Response:
        try:
            if self.verifier is not None:
                envelope = self.verifier.verify(request.headers, body)
            else:
                envelope = parse_envelope(body)
        except (VerificationError, EnvelopeError) as e:
            outcome["outcome"] = "rejected"
            return json_response(400, error="bad_request", reason=str(e))
        req = envelope["request"]
        outcome["type"] = req["type"]
        if isinstance(req.get("intent"), dict):
            name = str(req["intent"].get("name", "-"))
            outcome["intent"] = "-" if name in self.discreet else name
        if req["type"] not in _KNOWN_TYPES:
            outcome["outcome"] = "ignored"
            return json_response(200, **EMPTY_RESPONSE)
        try:
            request_envelope = self.skill.serializer.deserialize(envelope, RequestEnvelope)
        except Exception:
            outcome["outcome"] = "rejected"
            return json_response(400, error="bad_request",
                                 reason="body is not a valid Alexa request envelope")
        turn = Turn(services=self.services, envelope=envelope, received_at=self.clock())
        response = self.skill.invoke(request_envelope=request_envelope, context=turn)
        if turn.storage_failed:
            outcome["outcome"] = "ok-degraded"
        return json_response(200, **self.skill.serializer.serialize(response))
