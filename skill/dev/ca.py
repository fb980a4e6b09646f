"""A throwaway certificate authority shaped like Amazon's, for the benchmark and the tests, and
the request signer that signs bodies as Alexa does.

root -> intermediate -> leaf with the SAN ``echo-api.amazon.com`` (``skill.verify.ALEXA_SAN``);
the leaf key signs request bodies (``Signature-256``). Nothing here is trusted unless a caller
passes the root to ``create_app(roots=...)`` itself. The tests' broken variants (wrong SAN,
expired, self-signed, untrusted root) are built from the same `Authority`.

Built on ``cryptography`` rather than ``trustme``: trustme 1.2 marks every leaf's
subjectAltName critical while the subject is not empty, which RFC 5280 forbids, and
``cryptography``'s verifier (the one the service uses on Amazon's chain) rejects such a leaf.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.verify import ALEXA_SAN

CERT_BASE = "https://s3.amazonaws.com/echo.api/"  # never contacted
CERT_URL = CERT_BASE + "checkin-bench.pem"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
                 issuer_key: rsa.RSAPrivateKey, *, ca: bool, path_length: int | None = None,
                 san: str | None = None, not_before: dt.datetime | None = None,
                 not_after: dt.datetime | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=30))
        .not_valid_after(not_after or now + dt.timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                       critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=not ca,
            data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


class BodySigner:
    """Signs request bodies as Alexa does (RSA PKCS#1 v1.5, SHA-256, base64)."""

    def __init__(self, key: rsa.RSAPrivateKey | bytes, url: str = CERT_URL):
        self._key = (serialization.load_pem_private_key(key, password=None)
                     if isinstance(key, bytes) else key)
        self.url = url

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self._key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    def headers(self, body: bytes) -> dict[str, str]:
        return {"SignatureCertChainUrl": self.url, "Signature-256": self.sign(body)}


@dataclass
class Leaf:
    key: rsa.RSAPrivateKey
    chain_pem: bytes  # the leaf, then its intermediate, as Amazon serves it
    url: str  # where the chain is said to be

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def signer(self) -> BodySigner:
        return BodySigner(self.key, self.url)

    def sign(self, body: bytes) -> str:
        return self.signer().sign(body)


class Authority:
    """A root and an intermediate that issue leaves."""

    def __init__(self, name: str = "Check-In Test"):
        self._root_key, self._inter_key = _key(), _key()
        self.root = _certificate(_name(f"{name} Root"), self._root_key, _name(f"{name} Root"),
                                 self._root_key, ca=True)
        self.intermediate = _certificate(_name(f"{name} Intermediate"), self._inter_key,
                                         self.root.subject, self._root_key, ca=True,
                                         path_length=0)

    @property
    def root_pem(self) -> bytes:
        return _pem(self.root)

    def leaf(self, url: str = CERT_URL, *, san: str | None = ALEXA_SAN,
             not_before: dt.datetime | None = None,
             not_after: dt.datetime | None = None) -> Leaf:
        key = _key()
        cert = _certificate(_name(san or "no-san"), key, self.intermediate.subject,
                            self._inter_key, ca=False, san=san, not_before=not_before,
                            not_after=not_after)
        return Leaf(key, _pem(cert, self.intermediate), url)


def self_signed_leaf(url: str, san: str = ALEXA_SAN) -> Leaf:
    """A leaf that signs itself: right SAN, no authority behind it."""
    key = _key()
    cert = _certificate(_name(san), key, _name(san), key, ca=False, san=san)
    return Leaf(key, _pem(cert), url)


@dataclass
class BenchCA:
    """The benchmark's CA as files: the root to trust, the chain to serve, the key to sign."""

    root_pem: bytes
    chain_pem: bytes
    key_pem: bytes
    url: str = CERT_URL

    def write(self, directory: Path) -> dict[str, Path]:
        """Write root.pem, chain.pem and leaf-key.pem; returns their paths by name."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {"root": directory / "root.pem", "chain": directory / "chain.pem",
                 "key": directory / "leaf-key.pem"}
        paths["root"].write_bytes(self.root_pem)
        paths["chain"].write_bytes(self.chain_pem)
        paths["key"].write_bytes(self.key_pem)
        paths["key"].chmod(0o600)
        return paths


def build_ca() -> BenchCA:
    authority = Authority("Check-In Bench")
    leaf = authority.leaf()
    return BenchCA(root_pem=authority.root_pem, chain_pem=leaf.chain_pem, key_pem=leaf.key_pem)
