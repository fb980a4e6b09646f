"""The HTTP client behind ask-sdk's service clients (time zone, reminders).

ask-sdk-core's ``DefaultApiClient`` has no timeout, so a slow Alexa API could hold a worker for as
long as the socket allows. This one keeps its request handling but bounds every call, and allows
plain http only on loopback (the test suite's stand-in for the Alexa APIs).
"""

from __future__ import annotations

import ipaddress
import json
import threading
from urllib.parse import urlsplit

import requests
from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest, ApiClientResponse


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class TimeoutApiClient(DefaultApiClient):
    def __init__(self, timeout: float = 1.0):
        self.timeout = timeout
        self._local = threading.local()  # one pooled session per worker thread

    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        parts = urlsplit(request.url or "")
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
            raise ApiClientException("Alexa APIs are called over https only")
        headers = self._convert_list_tuples_to_dict(headers_list=request.headers)
        data = None
        if request.body:
            content_type = headers.get("Content-type") or headers.get("Content-Type") or ""
            data = json.dumps(request.body) if "json" in content_type else request.body
        try:
            response = self._session.request(
                (request.method or "GET").upper(), request.url, headers=headers, data=data,
                timeout=self.timeout,
            )
        except requests.RequestException as e:
            raise ApiClientException(f"Alexa API call failed: {type(e).__name__}") from e
        return ApiClientResponse(
            headers=self._convert_dict_to_list_tuples(response.headers),
            status_code=response.status_code,
            body=response.text,
        )
