"""Request verification: only requests provably from Alexa for our skill reach the skill."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography import x509

from skill.dev.envelopes import Device, envelope, intent, launch, skill_event
from skill.verify import RequestVerifier, VerificationError, check_cert_url

from .conftest import SKILL_ID, Alexa, speech_of

# Amazon's real signing chain (leaf -> Amazon RSA 2048 M01 -> Amazon Root CA 1), copied from
# shared/testdata/alexa so the suite runs wherever the repository is cloned.
REAL_CHAIN = Path(__file__).resolve().parent / "data" / "echo-api-cert-2026.pem"


@pytest.fixture
def signed(verified_app, clock, ca):
    return Alexa(verified_app.test_client(), clock, ca)


def household_keys(redis) -> list:
    return list(redis.scan_iter("ck*"))


def test_signed_request_gets_200_and_valid_ssml(signed, redis):
    data = signed.send(launch(), signer="good")
    assert speech_of(data).startswith("<speak>")
    assert household_keys(redis), "a verified launch records the night"


VALID_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/x.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/x.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/x.pem",
]
INVALID_URLS = [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/ECHO.API/x.pem",
    "https://s3.amazonaws.com/echo.api/../x.pem",
    "https://s3.amazonaws.com:563/echo.api/x.pem",
    "https://very.bad/echo.api/x.pem",
    "https://user:pw@s3.amazonaws.com/echo.api/x.pem",
    "https://s3.amazonaws.com/x.pem",
]


@pytest.mark.parametrize("url", VALID_URLS)
def test_valid_cert_urls(url):
    check_cert_url(url)


@pytest.mark.parametrize("url", INVALID_URLS)
def test_invalid_cert_url_is_rejected_before_any_fetch(url, signed, fetcher, redis):
    body = json.dumps(envelope(signed.device, launch(), signed.clock.now)).encode()
    sig = signed.ca.signers["good"].sign(body)
    r = signed.post(body, headers={"SignatureCertChainUrl": url, "Signature-256": sig})
    assert r.status_code == 400
    assert "certificate URL" in r.get_json()["reason"]
    assert fetcher.calls == []
    assert household_keys(redis) == []


def _rejected(response, redis, fragment: str):
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert fragment in body["reason"], body["reason"]
    assert household_keys(redis) == []


def test_tampered_body(signed, redis):
    body = json.dumps(envelope(signed.device, launch(), signed.clock.now)).encode()
    s = signed.ca.signers["good"]
    sig = s.sign(body)
    tampered = body.replace(b"LaunchRequest", b"LaunchRequesT")
    r = signed.post(tampered, headers={"SignatureCertChainUrl": s.url, "Signature-256": sig})
    _rejected(r, redis, "signature does not match")


def test_reserialised_json_fails(signed, redis):
    """The signature covers the raw bytes: the same JSON with other spacing is rejected."""
    env = envelope(signed.device, launch(), signed.clock.now)
    s = signed.ca.signers["good"]
    sig = s.sign(json.dumps(env).encode())
    r = signed.post(json.dumps(env, indent=1).encode(),
                    headers={"SignatureCertChainUrl": s.url, "Signature-256": sig})
    _rejected(r, redis, "signature does not match")


@pytest.mark.parametrize("signer,fragment", [
    ("wrong-san", "certificate chain rejected"),
    ("expired", "certificate chain rejected"),
    ("self-signed", "certificate chain rejected"),
    ("untrusted", "certificate chain rejected"),
])
def test_bad_chains(signer, fragment, signed, redis):
    r = signed.post(envelope(signed.device, launch(), signed.clock.now), signer=signer)
    _rejected(r, redis, fragment)


@pytest.mark.parametrize("headers,fragment", [
    ({}, "SignatureCertChainUrl is missing"),
    ({"SignatureCertChainUrl": ""}, "SignatureCertChainUrl is missing"),
    ({"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/good.pem"},
     "Signature-256 is missing"),
    ({"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/good.pem",
      "Signature-256": "  "}, "Signature-256 is missing"),
    ({"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/good.pem",
      "Signature-256": "not*base64!"}, "not valid base64"),
])
def test_missing_empty_or_bad_headers(headers, fragment, signed, redis):
    r = signed.post(envelope(signed.device, launch(), signed.clock.now), headers=headers)
    _rejected(r, redis, fragment)


def test_header_names_are_case_insensitive(signed, redis):
    body = json.dumps(envelope(signed.device, launch(), signed.clock.now)).encode()
    s = signed.ca.signers["good"]
    r = signed.post(body, headers={"signaturecertchainurl": s.url,
                                   "SIGNATURE-256": s.sign(body)})
    assert r.status_code == 200


@pytest.mark.parametrize("offset", [-151, 151])
def test_timestamp_outside_150_seconds(offset, signed, redis):
    r = signed.post(envelope(signed.device, launch(), signed.clock.now + offset), signer="good")
    _rejected(r, redis, "timestamp")


@pytest.mark.parametrize("offset", [-149, 149])
def test_timestamp_inside_150_seconds(offset, signed):
    r = signed.post(envelope(signed.device, launch(), signed.clock.now + offset), signer="good")
    assert r.status_code == 200


def test_skill_event_61_minutes_old_rejected_59_accepted(signed, redis):
    old = envelope(signed.device, skill_event("SkillEnabled"), signed.clock.now - 61 * 60)
    _rejected(signed.post(old, signer="good"), redis, "timestamp")
    ok = envelope(signed.device, skill_event("SkillEnabled"), signed.clock.now - 59 * 60)
    assert signed.post(ok, signer="good").status_code == 200


def test_wrong_skill_id(signed, redis):
    other = Device(skill_id="amzn1.ask.skill.someone-else")
    r = signed.post(envelope(other, launch(), signed.clock.now), signer="good")
    _rejected(r, redis, "another skill")


def test_body_not_json(signed, redis):
    _rejected(signed.post(b"this is not json", signer="good"), redis, "not JSON")


def test_failed_download_rejects_only_that_request(signed, redis, fetcher):
    env = envelope(signed.device, launch(), signed.clock.now)
    body = json.dumps(env).encode()
    sig = signed.ca.signers["good"].sign(body)
    r = signed.post(body, headers={
        "SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/missing.pem",
        "Signature-256": sig})
    _rejected(r, redis, "could not be fetched")
    assert signed.post(env, signer="good").status_code == 200


def test_chain_is_downloaded_and_validated_once(signed, fetcher, monkeypatch):
    calls = []
    original = RequestVerifier._validate

    def counting(self, pem, now):
        calls.append(1)
        return original(self, pem, now)

    monkeypatch.setattr(RequestVerifier, "_validate", counting)
    for _ in range(25):
        signed.send(intent("ValidationPhraseIntent"), signer="good")
    assert fetcher.calls == [signed.ca.signers["good"].url]
    assert len(calls) == 1


def test_cached_chain_rejected_once_leaf_expires(signed, clock, fetcher, redis):
    assert signed.send(launch(), signer="good")
    clock.now += 400 * 86400  # past the leaf's notAfter
    r = signed.post(envelope(signed.device, launch(), clock.now), signer="good")
    assert r.status_code == 400
    assert "not valid at this time" in r.get_json()["reason"]


def test_chain_cache_is_bounded(ca, clock):
    fetched = []

    def fetch(url):
        fetched.append(url)
        return ca.signers["good"].chain_pem

    v = RequestVerifier(SKILL_ID, roots=[ca.root], fetcher=fetch, clock=clock, cache_size=3)
    for i in range(10):
        v.chain_for(f"https://s3.amazonaws.com/echo.api/{i}.pem", clock.now)
    assert len(v._cache) == 3


def _real_chain_verifier(at: datetime):
    from skill.verify import load_certifi_roots

    return RequestVerifier(SKILL_ID, roots=load_certifi_roots(),
                           fetcher=lambda url: REAL_CHAIN.read_bytes(),
                           clock=lambda: at.timestamp())


def test_amazons_real_chain_validates_inside_its_dates():
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)
    v = _real_chain_verifier(at)
    chain = v.chain_for("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", at.timestamp())
    assert "echo-api.amazon.com" in chain.leaf.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)


def test_amazons_real_chain_rejected_after_expiry():
    at = datetime(2027, 2, 11, tzinfo=timezone.utc)
    v = _real_chain_verifier(at)
    with pytest.raises(VerificationError, match="certificate chain rejected"):
        v.chain_for("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", at.timestamp())


def test_amazons_real_chain_needs_a_trusted_root(ca):
    at = datetime(2026, 11, 1, tzinfo=timezone.utc)
    v = RequestVerifier(SKILL_ID, roots=[ca.root], fetcher=lambda url: REAL_CHAIN.read_bytes(),
                        clock=lambda: at.timestamp())
    with pytest.raises(VerificationError, match="certificate chain rejected"):
        v.chain_for("https://s3.amazonaws.com/echo.api/echo-api-cert.pem", at.timestamp())


def test_signature_not_base64_padding(signed, redis):
    body = json.dumps(envelope(signed.device, launch(), signed.clock.now)).encode()
    s = signed.ca.signers["good"]
    bad = base64.b64encode(b"x" * 256).decode()
    r = signed.post(body, headers={"SignatureCertChainUrl": s.url, "Signature-256": bad})
    _rejected(r, redis, "signature does not match")


def test_concurrent_first_requests_fetch_the_chain_once(ca, clock):
    import threading
    import time

    fetched = []

    def slow_fetch(url):
        fetched.append(url)
        time.sleep(0.2)
        return ca.signers["good"].chain_pem

    v = RequestVerifier(SKILL_ID, roots=[ca.root], fetcher=slow_fetch, clock=clock)
    barrier = threading.Barrier(8)

    def first_request():
        barrier.wait()
        v.chain_for(ca.signers["good"].url, clock.now)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fetched == [ca.signers["good"].url]


def test_a_certificate_replaced_behind_the_same_url_is_fetched_again(signed, ca, fetcher, clock):
    good = ca.signers["good"]
    assert signed.post(envelope(signed.device, launch(), clock.now), signer="good").status_code == 200
    rotated = ca.signers["rotated"]  # Amazon swaps the chain behind the same URL
    fetcher.chains[good.url] = rotated.chain_pem
    body = json.dumps(envelope(signed.device, launch(), clock.now)).encode()
    headers = {"SignatureCertChainUrl": good.url, "Signature-256": rotated.sign(body)}
    assert signed.post(body, headers=headers).status_code == 400  # the old chain is cached
    assert fetcher.calls == [good.url], "a fresh cache entry is not refetched at once"
    clock.now += 61
    body = json.dumps(envelope(signed.device, launch(), clock.now)).encode()
    headers = {"SignatureCertChainUrl": good.url, "Signature-256": rotated.sign(body)}
    assert signed.post(body, headers=headers).status_code == 400  # evicts the stale chain
    body = json.dumps(envelope(signed.device, launch(), clock.now)).encode()
    headers = {"SignatureCertChainUrl": good.url, "Signature-256": rotated.sign(body)}
    assert signed.post(body, headers=headers).status_code == 200
    assert fetcher.calls == [good.url, good.url]
