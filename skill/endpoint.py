"""The Alexa endpoint, ``POST /``: verify, decode, invoke the skill, encode, log one line, count.

Verification and envelope errors are HTTP 400 with a reason; request types the SDK does not know
get an empty 200; anything the skill raises is answered by its own exception handler (a spoken
apology, counted as the outcome ``error``), so Alexa never sees a 5xx from here.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.request import Request as _AlexaRequest
from flask import Response, request

from .errors import EnvelopeError, VerificationError
from .household import Services, Turn
from .intake import BodyError, read_body
from .logline import REQUEST, clip, error_record
from .metrics import NONE, OTHER, Labels, Metrics, redis_error_kind
from .verify import RequestVerifier, parse_envelope

log = logging.getLogger("checkin")
EMPTY_RESPONSE = {"version": "1.0", "response": {}}
KNOWN_TYPES = frozenset(_AlexaRequest.discriminator_value_class_map)
_ERRORS = {408: "request_timeout", 413: "request_entity_too_large"}
_BODY_REJECTIONS = {408: "body_timeout", 413: "body_too_large"}  # any other: body_framing
_REQUEST_ID = re.compile(r"amzn1\.echo-api\.request\.[\w\-]{1,80}")  # Alexa's, else not logged
# The request line's level by outcome: a request answered as it should be is INFO, so that
# the default CHECKIN_LOG_LEVEL, WARNING, keeps only the requests an operator must look at
# (README, "Metrics and logs": what each costs).
LINE_LEVELS = {"ok": logging.INFO, "ignored": logging.INFO, "ok-degraded": logging.WARNING,
               "rejected": logging.WARNING, "error": logging.ERROR}


def json_response(code: int, **body) -> Response:
    return Response(json.dumps(body), status=code, mimetype="application/json")


class _Rejected(Exception):
    """A refusal: HTTP ``status`` with the reason said, counted under ``reason`` (a
    ``metrics.REJECTIONS`` word)."""

    def __init__(self, reason: str, detail: str, status: int = 400, error: str = "bad_request"):
        super().__init__(reason)
        self.reason, self.detail, self.status = reason, clip(detail), status
        self.response = json_response(status, error=error, reason=detail)


class AlexaEndpoint:
    """The Flask view for Alexa's requests; one per app."""

    def __init__(self, skill: CustomSkill, services: Services, verifier: RequestVerifier | None,
                 clock: Callable[[], float], metrics: Metrics, labels: Labels,
                 max_body_bytes: int = 131072, body_timeout: float = 5.0):
        self.max_body_bytes, self.body_timeout = max_body_bytes, body_timeout
        self.skill = skill
        self.services = services
        self.verifier = verifier
        self.clock = clock
        self.metrics = metrics
        # Label values from fixed sets, for the log line and the metrics alike. Intents whose
        # name alone would say something private ("SafetyIntent") are "other", like any name
        # the models do not have, and their line names no household.
        self.labels = labels

    def __call__(self) -> Response:
        started = time.perf_counter()
        line = {"type": NONE, "intent": NONE}  # what the request line says beyond the context
        token = REQUEST.set(line)
        # an exception out of here is answered by the app's last handler: a spoken apology, 200
        outcome, status, rejected = "error", 200, None
        try:
            response, outcome, turn = self._answer(line)
            status = response.status_code
            if turn is not None:
                self._count_turn(turn)
            return response
        except _Rejected as e:
            outcome, rejected, status = "rejected", e, e.status
            return e.response
        finally:
            seconds = time.perf_counter() - started
            self._count(line, outcome, seconds, rejected)
            level = LINE_LEVELS[outcome]
            if log.isEnabledFor(level):
                # a dict message: the JSON formatter's fields as they are (no extra= to copy
                # key by key into the record), whole wherever the record is formatted
                record = {"message": "request", **line, "outcome": outcome, "status": status,
                          "latency_ms": round(seconds * 1000, 2)}
                if rejected is not None:
                    record["reason"], record["detail"] = rejected.reason, rejected.detail
                log.log(level, record)
            REQUEST.reset(token)

    def _count(self, line: dict, outcome: str, seconds: float,
               rejected: _Rejected | None) -> None:
        """The request's metrics; a failure to count (the metrics' disk full) is logged and
        never costs the answer."""
        try:
            self.metrics.request(line["type"], line["intent"], outcome, seconds)
            if rejected is not None:
                self.metrics.rejected(rejected.reason)
        except Exception as e:
            log.error(error_record("metrics not counted", e))

    def _count_turn(self, turn: Turn) -> None:
        try:
            for error in turn.storage_errors:
                self.metrics.redis_error(redis_error_kind(error))
            if turn.storage_failed:
                self.metrics.degraded_answer()
            for _ in range(turn.checkins_counted):
                self.metrics.checkin_counted()
        except Exception as e:
            log.error(error_record("metrics not counted", e))

    def _answer(self, line: dict) -> tuple[Response, str, Turn | None]:
        """(the answer, its outcome, the turn if the skill was invoked); raises _Rejected."""
        try:
            body = read_body(request.environ, self.max_body_bytes, self.body_timeout)
        except BodyError as e:
            raise _Rejected(_BODY_REJECTIONS.get(e.status, "body_framing"), e.reason, e.status,
                             _ERRORS.get(e.status, "bad_request")) from None
        try:
            if self.verifier is not None:
                envelope = self.verifier.verify(request.headers, body)
            else:
                envelope = parse_envelope(body)
        except (VerificationError, EnvelopeError) as e:
            raise _Rejected(e.kind, str(e)) from None
        req = envelope["request"]
        request_id = req.get("requestId")
        if isinstance(request_id, str) and _REQUEST_ID.fullmatch(request_id):
            line["request_id"] = request_id
        line["type"] = self.labels.request_type(req["type"])
        if req["type"] == "IntentRequest" and isinstance(req.get("intent"), dict):
            line["intent"] = self.labels.intent(req["intent"].get("name"))
        if req["type"] not in KNOWN_TYPES:
            return json_response(200, **EMPTY_RESPONSE), "ignored", None
        try:
            request_envelope = self.skill.serializer.deserialize(envelope, RequestEnvelope)
        except Exception:
            raise _Rejected("envelope", "body is not a valid Alexa request envelope") from None
        turn = Turn(services=self.services, envelope=envelope, received_at=self.clock())
        if line["intent"] != OTHER or req["type"] != "IntentRequest":
            household = turn.storage_id  # the store's key for it under the current secret
            if household:
                line["household"] = household[:12]
        response = self.skill.invoke(request_envelope=request_envelope, context=turn)
        outcome = "error" if turn.failed else "ok-degraded" if turn.storage_failed else "ok"
        return json_response(200, **self.skill.serializer.serialize(response)), outcome, turn

