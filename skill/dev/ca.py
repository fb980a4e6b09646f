"""A throwaway certificate authority shaped like Amazon's, for the benchmark and the tests.

root -> intermediate -> leaf with the SAN ``echo-api.amazon.com``; the leaf key signs request
bodies (``Signature-256``). Nothing here is trusted unless a caller passes ``root`` to
``create_app(roots=...)`` itself. ``tests/alexa_ca.py`` builds its broken variants (wrong SAN,
expired, self-signed, untrusted root) from the same pieces.
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

ALEXA_SAN = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/checkin-bench.pem"  # never contacted


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
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
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=30))
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


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass
class BenchCA:
    root_pem: bytes
    chain_pem: bytes  # leaf then intermediate, as Amazon serves it
    key_pem: bytes  # the leaf's private key (unencrypted: a throwaway)
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
    root_key, inter_key, leaf_key = new_key(), new_key(), new_key()
    root = certificate(name("Check-In Bench Root"), root_key, name("Check-In Bench Root"), root_key,
                 ca=True)
    inter = certificate(name("Check-In Bench Intermediate"), inter_key, root.subject, root_key,
                  ca=True, path_length=0)
    leaf = certificate(name(ALEXA_SAN), leaf_key, inter.subject, inter_key, ca=False, san=ALEXA_SAN)
    key_pem = leaf_key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
    return BenchCA(root_pem=pem(root), chain_pem=pem(leaf, inter), key_pem=key_pem)


class BodySigner:
    """Signs request bodies with the leaf key, as Alexa does (RSA PKCS#1 v1.5, SHA-256)."""

    def __init__(self, key_pem: bytes, url: str = CERT_URL):
        self._key = serialization.load_pem_private_key(key_pem, password=None)
        self.url = url

    def headers(self, body: bytes) -> dict[str, str]:
        signature = self._key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return {"SignatureCertChainUrl": self.url,
                "Signature-256": base64.b64encode(signature).decode()}
