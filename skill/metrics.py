"""The service's Prometheus metrics: what an operator alerts on, counted in every worker.

Under gunicorn the workers are separate processes, so the counts are kept the way
``prometheus-client``'s multiprocess mode keeps them: each worker writes its values to memory-
mapped files in ``PROMETHEUS_MULTIPROC_DIR``, which the master sets and empties before it forks
(``skill.server``), and a scrape of ``/metrics`` in any worker adds up every worker's files
(``MultiProcessCollector``). Without that directory (tests, the simulator) each app keeps its own
registry.

Every label has a small fixed set of values: a request type the SDK does not know, an intent the
interaction models do not have, and a discreet intent (the safety answer: see intents/safety.py)
are all ``other``, so neither a client nor a person's words can make a new series or show up in
one. ``/metrics`` itself is served only to a bearer of ``CHECKIN_METRICS_TOKEN`` (``skill.app``).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import values as _values
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OTHER = "other"
NONE = "-"  # not an intent request, or a request not read far enough to know

OUTCOMES = ("ok", "ok-degraded", "rejected", "ignored", "error")
# Why a request was refused (VerificationError.kind, EnvelopeError.kind, BodyError's status).
REJECTIONS = ("body_too_large", "body_timeout", "body_framing", "envelope", "signature_headers",
              "certificate_url", "certificate_chain", "certificate_time", "signature",
              "timestamp", "skill_id")
REDIS_ERRORS = ("timeout", "connection", "out_of_memory", "other")
APIS = ("time_zone", "reminders", "other")
API_STATUSES = ("2xx", "3xx", "401", "403", "404", "429", "4xx", "5xx", "timeout",
                "breaker-open", "busy", "error")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 8.0)  # Alexa waits 8 s


@functools.cache
def model_intents(models: Path | None = None) -> frozenset[str]:
    """Every intent name in the interaction models (``models/<locale>.json``): the only intent
    names a label may carry. Without a models folder (an installed package), none."""
    if models is None:
        from speech import MODELS_DIR

        models = MODELS_DIR
    names: set[str] = set()
    for path in sorted(models.glob("*.json")) if models.is_dir() else ():
        model = json.loads(path.read_text(encoding="utf-8")).get("interactionModel")
        if isinstance(model, dict):
            names.update(i["name"] for i in model["languageModel"]["intents"])
    return frozenset(names)


def status_class(status: int) -> str:
    """An HTTP status as an ``API_STATUSES`` value."""
    if status in (401, 403, 404, 429):
        return str(status)
    if 200 <= status < 600:
        return f"{status // 100}xx"
    return "error"


def redis_error_kind(error: BaseException) -> str:
    """A ``StorageError`` (or what it wraps) as a ``REDIS_ERRORS`` value."""
    from redis import exceptions

    cause = error.__cause__ or error
    if isinstance(cause, (exceptions.TimeoutError, TimeoutError)):
        return "timeout"
    if isinstance(cause, exceptions.ResponseError) and "OOM command not allowed" in str(cause):
        # a plain command's OutOfMemoryError, or a Lua script's write refused the same way
        return "out_of_memory"
    if isinstance(cause, (exceptions.ConnectionError, exceptions.ClusterDownError, OSError)):
        return "connection"
    return OTHER


class Labels:
    """Turns what a request says into label values from fixed sets (the log uses them too)."""

    def __init__(self, request_types: Iterable[str], intents: Iterable[str],
                 discreet: Iterable[str] = ()):
        self._types = frozenset(request_types)
        self._intents = frozenset(intents) - frozenset(discreet)

    def request_type(self, value: object) -> str:
        return value if isinstance(value, str) and value in self._types else OTHER

    def intent(self, value: object) -> str:
        return value if isinstance(value, str) and value in self._intents else OTHER


class Metrics:
    """The counters and histograms; one per app. Children of labelled metrics are kept in dicts:
    ``labels()`` costs more than the increment."""

    def __init__(self, multiprocess_dir: str | None = None):
        if multiprocess_dir and not getattr(_values.ValueClass, "_multiprocess", False):
            # prometheus_client chose its value class when it was first imported, before the
            # directory was set: counts would stay in this process only
            raise RuntimeError(f"{MULTIPROC_ENV} was set after prometheus_client was imported")
        self.multiprocess_dir = multiprocess_dir
        self.registry = None if multiprocess_dir else CollectorRegistry()
        reg = self.registry
        # One histogram for the requests: its _count is the requests by type, intent and
        # outcome, its buckets their latency. A counter beside it would cost every request a
        # third write to the shared files for nothing the _count does not say.
        self.requests = Histogram("checkin_request_duration_seconds", "Requests to the Alexa "
                                  "endpoint (_count) and the time to their answers, by request "
                                  "type, intent and outcome.", ("type", "intent", "outcome"),
                                  buckets=LATENCY_BUCKETS, registry=reg)
        self.rejections = Counter("checkin_rejections", "Requests refused, by reason.",
                                  ("reason",), registry=reg)
        self.redis_errors = Counter("checkin_redis_errors", "Redis operations that failed, by "
                                    "kind.", ("kind",), registry=reg)
        self.api_calls = Counter("checkin_alexa_api_calls", "Calls to the Alexa APIs, by API and "
                                 "status (or why no answer came).", ("api", "status"),
                                 registry=reg)
        self.degraded = Counter("checkin_degraded_answers", "Answers given without the store "
                                "(\"I couldn't save\").", registry=reg)
        self.checkins = Counter("checkin_checkins_counted", "Nights added to a household's "
                                "history.", registry=reg)
        self._request_children: dict[tuple[str, str, str], Histogram] = {}
        # every known label value from zero, so that rate() and alerts see the first one
        self._rejection_children = {r: self.rejections.labels(r) for r in REJECTIONS}
        self._redis_children = {k: self.redis_errors.labels(k) for k in REDIS_ERRORS}
        self._api_children = {(a, s): self.api_calls.labels(a, s)
                              for a in APIS for s in API_STATUSES}

    def request(self, request_type: str, intent: str, outcome: str, seconds: float) -> None:
        key = (request_type, intent, outcome)
        child = self._request_children.get(key)
        if child is None:
            child = self._request_children[key] = self.requests.labels(*key)
        child.observe(seconds)

    def rejected(self, reason: str) -> None:
        self._rejection_children[reason].inc()

    def redis_error(self, kind: str) -> None:
        self._redis_children[kind].inc()

    def api_call(self, api: str, status: str) -> None:
        self._api_children[(api, status)].inc()

    def degraded_answer(self) -> None:
        self.degraded.inc()

    def checkin_counted(self) -> None:
        self.checkins.inc()

    def exposition(self) -> bytes:
        """The Prometheus text format: every worker's counts when there are workers."""
        if self.multiprocess_dir:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry)
        return generate_latest(self.registry)


def from_environment() -> Metrics:
    """The metrics of a process: shared with the other workers when the master set the directory."""
    return Metrics(os.environ.get(MULTIPROC_ENV) or None)
