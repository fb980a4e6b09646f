"""Proof that a request comes from Alexa, built on ``cryptography`` (see ALEXA.md).

Checks, in order: the headers, the certificate URL, the chain (fetched once per URL, validated
once against trusted roots for the SAN ``echo-api.amazon.com``, cached until the leaf expires),
the ``Signature-256`` over the raw body, the timestamp, and the skill id. Any failure raises
``VerificationError`` whose ``reason`` the web layer returns with HTTP 400.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError as _X509Error

from . import timestamps
from .errors import EnvelopeError, VerificationError
from .intake import MAX_JSON_DEPTH, too_deep
from .outbound import OutboundError, request as outbound_request

ALEXA_SAN = "echo-api.amazon.com"
REQUEST_TOLERANCE_S = 150
SKILL_EVENT_TOLERANCE_S = 3600
MAX_CHAIN_BYTES = 64 * 1024
FETCH_TIMEOUT_S = 2.0
CHAIN_CACHE_SIZE = 32
REFETCH_AFTER_MISMATCH_S = 60
FAILED_URL_RETRY_S = 60  # a chain URL that failed is not fetched again for this long
FAILED_URL_CACHE_SIZE = 4096
FETCHES_IN_FLIGHT = 2

_PKCS1, _SHA256 = padding.PKCS1v15(), hashes.SHA256()

ChainFetcher = Callable[[str], bytes]
Clock = Callable[[], float]


def check_cert_url(url: str) -> None:
    """The certificate URL rules: https, s3.amazonaws.com, port 443, path under /echo.api/."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise VerificationError("certificate URL is malformed", "certificate_url") from None
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https", "certificate_url")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL must not carry user info", "certificate_url")
    if (parts.hostname or "").lower() != "s3.amazonaws.com":
        raise VerificationError("certificate URL host must be s3.amazonaws.com", "certificate_url")
    if port not in (None, 443):
        raise VerificationError("certificate URL port must be 443", "certificate_url")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith("/echo.api/"):
        raise VerificationError("certificate URL path must start with /echo.api/", "certificate_url")


def fetch_chain(url: str, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """Download a PEM chain, the whole download within ``timeout``, at most MAX_CHAIN_BYTES."""
    answer = outbound_request("GET", url, timeout=timeout, max_bytes=MAX_CHAIN_BYTES,
                              headers={"User-Agent": "our-checkin"})
    if answer.status != 200:
        raise OutboundError(f"HTTP {answer.status}")
    return answer.body


def load_certifi_roots() -> list[x509.Certificate]:
    import certifi

    with open(certifi.where(), "rb") as f:
        pem = f.read()
    with warnings.catch_warnings():
        # One of Mozilla's roots has a negative serial number; cryptography warns about it.
        warnings.simplefilter("ignore")
        return x509.load_pem_x509_certificates(pem)


@dataclass(frozen=True)
class _Chain:
    leaf: x509.Certificate
    key: rsa.RSAPublicKey  # loaded once: building it from the certificate costs more than a verify
    not_before: float
    not_after: float
    fetched_at: float


def _timestamp(value: object) -> float:
    if not isinstance(value, str) or not value:
        raise VerificationError("request.timestamp is missing", "timestamp")
    try:
        return timestamps.parse(value).timestamp()
    except ValueError:
        raise VerificationError("request.timestamp is not an ISO 8601 time", "timestamp") from None


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None or not value.strip():
        raise VerificationError(f"header {name} is missing or empty", "signature_headers")
    return value.strip()


class RequestVerifier:
    """Verifies requests; one instance per process, safe to share between threads."""

    def __init__(
        self,
        skill_id: str,
        *,
        roots: list[x509.Certificate] | None = None,
        fetcher: ChainFetcher = fetch_chain,
        clock: Clock | None = None,
        cache_size: int = CHAIN_CACHE_SIZE,
        fetches_in_flight: int = FETCHES_IN_FLIGHT,
        failed_retry_s: float = FAILED_URL_RETRY_S,
    ):
        import time

        self.skill_id = skill_id
        self._roots = roots
        self._store: Store | None = None
        self._fetcher = fetcher
        self._clock = clock or time.time
        self._cache: OrderedDict[str, _Chain] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}
        # the outbound budget: a failed URL waits before it is fetched again, and only so many
        # downloads run at once (each unsigned request may name a new URL)
        self._failed: OrderedDict[str, float] = OrderedDict()  # url -> when it may be tried
        self._failed_retry_s = failed_retry_s
        self._fetch_slots = threading.BoundedSemaphore(fetches_in_flight)

    # -- the chain ---------------------------------------------------------------------------

    def _download(self, url: str, now: float) -> _Chain:
        with self._lock:
            retry_at = self._failed.get(url)
        if retry_at is not None and now < retry_at:
            raise VerificationError("certificate chain URL failed recently; not fetched again yet",
                                    "certificate_chain")
        if not self._fetch_slots.acquire(blocking=False):
            raise VerificationError("too many certificate chain downloads in flight", "certificate_chain")
        try:
            pem = self._fetcher(url)
            chain = self._validate(pem, now)
        except VerificationError:
            self._failed_at(url, now)
            raise
        except Exception as e:  # any failure to download rejects this request only
            self._failed_at(url, now)
            raise VerificationError(
                f"certificate chain could not be fetched ({type(e).__name__})", "certificate_chain"
            ) from None
        finally:
            self._fetch_slots.release()
        with self._lock:
            self._cache[url] = chain
            self._cache.move_to_end(url)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return chain

    def _failed_at(self, url: str, now: float) -> None:
        with self._lock:
            self._failed[url] = now + self._failed_retry_s
            self._failed.move_to_end(url)
            while len(self._failed) > FAILED_URL_CACHE_SIZE:
                self._failed.popitem(last=False)

    def _trust_store(self) -> Store:
        if self._store is None:
            roots = self._roots if self._roots is not None else load_certifi_roots()
            if not roots:
                raise VerificationError("no trusted root certificates are configured", "certificate_chain")
            self._store = Store(roots)
        return self._store

    def _validate(self, pem: bytes, now: float) -> _Chain:
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise VerificationError("certificate chain is not valid PEM", "certificate_chain") from None
        leaf, intermediates = certs[0], certs[1:]
        at = datetime.fromtimestamp(now, tz=timezone.utc)
        verifier = (
            PolicyBuilder()
            .store(self._trust_store())
            .time(at)
            .build_server_verifier(x509.DNSName(ALEXA_SAN))
        )
        try:
            verifier.verify(leaf, intermediates)
        except _X509Error as e:
            raise VerificationError(f"certificate chain rejected: {e}", "certificate_chain") from None
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("certificate key is not RSA", "certificate_chain")
        return _Chain(
            leaf,
            key,
            leaf.not_valid_before_utc.timestamp(),
            leaf.not_valid_after_utc.timestamp(),
            now,
        )

    def _cached(self, url: str) -> _Chain | None:
        with self._lock:
            chain = self._cache.get(url)
            if chain is not None:
                self._cache.move_to_end(url)
            return chain

    def chain_for(self, url: str, now: float, cached: _Chain | None = None) -> _Chain:
        chain = cached or self._cached(url)
        if chain is None:
            # one download per URL: concurrent first requests wait for the one in flight
            with self._lock:
                url_lock = self._fetching.setdefault(url, threading.Lock())
            with url_lock:
                chain = self._cached(url)
                if chain is None:
                    try:
                        chain = self._download(url, now)
                    finally:
                        with self._lock:
                            self._fetching.pop(url, None)
        if not chain.not_before <= now <= chain.not_after:
            with self._lock:
                self._cache.pop(url, None)
            raise VerificationError("certificate is not valid at this time", "certificate_time")
        return chain

    # -- the request -------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Return the parsed envelope of a request proven to come from Alexa for our skill."""
        now = self._clock()
        url = _header(headers, "SignatureCertChainUrl")
        signature_b64 = _header(headers, "Signature-256")
        chain = self._cached(url)
        if chain is None:  # a cached URL passed these rules before its chain was fetched
            check_cert_url(url)
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            raise VerificationError("Signature-256 is not valid base64", "signature_headers") from None
        if not signature:
            raise VerificationError("Signature-256 is empty", "signature_headers")
        chain = self.chain_for(url, now, chain)
        try:
            chain.key.verify(signature, body, _PKCS1, _SHA256)
        except InvalidSignature:
            # Amazon may replace the certificate behind an unchanged URL: let a chain that has
            # been cached a while be fetched again (at most once a minute per URL).
            if now - chain.fetched_at > REFETCH_AFTER_MISMATCH_S:
                with self._lock:
                    if self._cache.get(url) is chain:
                        del self._cache[url]
            raise VerificationError("signature does not match the request body", "signature") from None
        envelope = parse_envelope(body)
        request = envelope["request"]
        tolerance = (
            SKILL_EVENT_TOLERANCE_S
            if str(request.get("type", "")).startswith("AlexaSkillEvent.")
            else REQUEST_TOLERANCE_S
        )
        if abs(now - _timestamp(request.get("timestamp"))) > tolerance:
            raise VerificationError("request timestamp is too far from now", "timestamp")
        if application_id(envelope) != self.skill_id:
            raise VerificationError("request is for another skill", "skill_id")
        return envelope


def parse_envelope(body: bytes) -> dict:
    if too_deep(body):
        raise EnvelopeError(f"body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise EnvelopeError("body is not JSON") from None
    if not isinstance(envelope, dict):
        raise EnvelopeError("body is not a JSON object")
    request = envelope.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise EnvelopeError("body has no request.type")
    context = envelope.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("System"), dict):
        raise EnvelopeError("body has no context.System")
    session = envelope.get("session")
    if session is not None and not isinstance(session, dict):
        raise EnvelopeError("session is not an object")
    return envelope


def application_id(envelope: dict) -> str | None:
    """The skill id, from context.System (or session, for older shapes)."""
    context = envelope.get("context")
    system = context.get("System") if isinstance(context, dict) else None
    for holder in (system, envelope.get("session")):
        app = holder.get("application") if isinstance(holder, dict) else None
        if isinstance(app, dict) and isinstance(app.get("applicationId"), str):
            return app["applicationId"]
    return None
