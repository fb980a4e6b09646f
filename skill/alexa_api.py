"""The HTTP client behind ask-sdk's service clients (time zone, reminders).

ask-sdk-core's ``DefaultApiClient`` has no timeout at all, and ``requests`` bounds each read, not
the call. This one keeps ask-sdk's request handling but sends every call through
``skill.outbound``: a deadline for the whole call, a cap on calls in flight per process and a
circuit breaker per API, so a slow or failing Alexa API costs a request at most the deadline,
and nothing at all once the breaker is open. Plain http is allowed only on loopback (the test
suite's stand-in for the Alexa APIs).
"""

from __future__ import annotations

import json

from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest, ApiClientResponse

from .metrics import Metrics, status_class
from .outbound import Breaker, Destination, OutboundError

TIME_ZONE, REMINDERS, OTHER = "time-zone API", "reminders API", "Alexa API"
_LABELS = {TIME_ZONE: "time_zone", REMINDERS: "reminders", OTHER: "other"}  # metrics.APIS


def api_of(url: str) -> str:
    """Which Alexa API a URL belongs to (each has its own cap and breaker)."""
    if "/settings/System.timeZone" in url:
        return TIME_ZONE
    if "/v1/alerts/reminders" in url:
        return REMINDERS
    return OTHER


class TimeoutApiClient(DefaultApiClient):
    def __init__(self, timeout: float = 1.0, max_in_flight: int = 8, breaker_failures: int = 3,
                 breaker_open_s: float = 30.0, metrics: Metrics | None = None):
        self.timeout = timeout
        self.metrics = metrics  # each call counted by API and status
        self.destinations = {name: Destination(name, max_in_flight,
                                               Breaker(breaker_failures, breaker_open_s))
                             for name in (TIME_ZONE, REMINDERS, OTHER)}

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url = request.url or ""
        headers = self._convert_list_tuples_to_dict(headers_list=request.headers)
        data = None
        if request.body:
            content_type = headers.get("Content-type") or headers.get("Content-Type") or ""
            data = json.dumps(request.body) if "json" in content_type else request.body
            data = data.encode() if isinstance(data, str) else data
        api = api_of(url)
        try:
            answer = self.destinations[api].call(
                (request.method or "GET").upper(), url, timeout=self.timeout, headers=headers,
                body=data)
        except OutboundError as e:
            if self.metrics is not None:
                self.metrics.api_call(_LABELS[api], e.kind)
            raise ApiClientException(f"Alexa API call failed: {e}") from None
        if self.metrics is not None:
            self.metrics.api_call(_LABELS[api], status_class(answer.status))
        return ApiClientResponse(headers=answer.headers, status_code=answer.status,
                                 body=answer.body.decode("utf-8", "replace"))
