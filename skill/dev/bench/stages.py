"""CPU per request of each stage of the skill's and the usual skill's request handling, each stage
timed alone in-process on the same requests (``checkin bench --profile`` prints it): where the
two ways of writing the skill differ."""

from __future__ import annotations

import json
import logging
import time

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.household import Turn
from skill.verify import parse_envelope

from .apps import baseline_app


def _per_request_ms(fn, items: list, repeat: int = 3) -> float:
    """The lowest of ``repeat`` runs of ``fn`` over ``items``: CPU ms per item."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for item in items:
            fn(item)
        best = min(best, (time.process_time() - started) / len(items))
    return best * 1000


def stage_table(app, usual_skill, signed: list[tuple[bytes, dict]], environs: list[dict],
                call, now: float) -> str:
    """``app``: the skill's Flask app; ``usual_skill``: the usual skill's CustomSkill (its store
    warm); ``signed``: (body, headers) pairs; ``environs``: WSGI environs of the same requests
    for the bare app; ``call(wsgi, environ)`` runs one request."""
    ext = app.extensions["checkin"]
    skill, services, verifier = ext["skill"], ext["services"], ext["verifier"]
    default = DefaultSerializer()
    envelopes = [parse_envelope(body) for body, _ in signed]
    models = [skill.serializer.deserialize(e, RequestEnvelope) for e in envelopes]
    usual_models = [default.deserialize(body.decode("utf-8"), RequestEnvelope)
                    for body, _ in signed]

    def invoke(pair):
        turn = Turn(services=services, envelope=pair[0], received_at=now)
        return skill.invoke(request_envelope=pair[1], context=turn)

    pairs = list(zip(envelopes, models))
    answers = [invoke(p) for p in pairs]
    usual_answers = [usual_skill.invoke(request_envelope=m, context=None) for m in usual_models]
    bare = baseline_app()
    log = logging.getLogger("checkin")
    line = {"event": "request", "type": "IntentRequest", "intent": "TipIntent", "outcome": "ok",
            "latency_ms": 1.23}
    rows = [
        ("Flask and WSGI around a view (the bare app)", _per_request_ms(
            lambda e: call(bare, e), environs, 1), None),
        ("verification (RequestVerifier, both)", _per_request_ms(
            lambda s: verifier.verify(s[1], s[0]), signed), None),
        ("request to ask-sdk's model", _per_request_ms(
            lambda e: skill.serializer.deserialize(e, RequestEnvelope), envelopes),
         _per_request_ms(lambda s: default.deserialize(s[0].decode("utf-8"), RequestEnvelope),
                         signed)),
        ("skill.invoke (dispatch, handlers, words, Redis client)", _per_request_ms(
            invoke, pairs, 2), _per_request_ms(
            lambda m: usual_skill.invoke(request_envelope=m, context=None), usual_models, 2)),
        ("response to JSON", _per_request_ms(
            lambda a: json.dumps(skill.serializer.serialize(a)), answers),
         _per_request_ms(lambda a: json.dumps(default.serialize(a), sort_keys=True),
                         usual_answers)),
        ("the request log line", _per_request_ms(lambda _: log.info(json.dumps(line)), answers),
         0.0),
    ]
    out = ["CPU per request by stage, each timed alone in-process (ms):",
           f"  {'stage':<56} {'skill':>7} {'usual':>7}"]
    for label, ours, theirs in rows:
        theirs = ours if theirs is None else theirs
        out.append(f"  {label:<56} {ours:7.3f} {theirs:7.3f}")
    return "\n".join(out) + "\n\n"
