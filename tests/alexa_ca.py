"""A private certificate authority shaped like Amazon's: root -> intermediate -> leaf for
echo-api.amazon.com, plus the broken variants the verification tests need."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from skill.dev.ca import certificate, name, new_key, pem

NOW = dt.datetime.now(dt.timezone.utc)
CERT_BASE = "https://s3.amazonaws.com/echo.api/"


def _cert(subject, subject_key, issuer, issuer_key, **kwargs) -> x509.Certificate:
    kwargs.setdefault("not_before", NOW - dt.timedelta(days=30))
    kwargs.setdefault("not_after", NOW + dt.timedelta(days=300))
    return certificate(subject, subject_key, issuer, issuer_key, **kwargs)


@dataclass
class Signer:
    """A leaf key and the PEM chain a request signed with it points at."""

    key: rsa.RSAPrivateKey
    chain_pem: bytes
    url: str

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


@dataclass
class AlexaCA:
    root: x509.Certificate
    signers: dict[str, Signer] = field(default_factory=dict)

    def chains(self) -> dict[str, bytes]:
        return {s.url: s.chain_pem for s in self.signers.values()}


def build_ca() -> AlexaCA:
    root_key, inter_key = new_key(), new_key()
    root = _cert(name("Test Root CA"), root_key, name("Test Root CA"), root_key, ca=True)
    inter = _cert(name("Test Intermediate"), inter_key, root.subject, root_key, ca=True,
                  path_length=0)
    ca = AlexaCA(root=root)

    def leaf(label: str, *, san="echo-api.amazon.com", **kw):
        key = new_key()
        cert = _cert(name(san or "no-san"), key, inter.subject, inter_key, ca=False, san=san,
                     **kw)
        ca.signers[label] = Signer(key, pem(cert, inter), f"{CERT_BASE}{label}.pem")

    leaf("good")
    leaf("rotated")  # a second valid leaf, as after Amazon rotates its certificate
    leaf("wrong-san", san="evil.example.com")
    leaf("expired", not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=1))
    # a leaf that signs itself
    self_key = new_key()
    self_cert = _cert(name("echo-api.amazon.com"), self_key, name("echo-api.amazon.com"),
                      self_key, ca=False, san="echo-api.amazon.com")
    ca.signers["self-signed"] = Signer(self_key, pem(self_cert), f"{CERT_BASE}self-signed.pem")
    # a well-formed chain under a root nobody trusts
    other_root_key, other_inter_key, other_leaf_key = new_key(), new_key(), new_key()
    other_root = _cert(name("Other Root"), other_root_key, name("Other Root"), other_root_key,
                       ca=True)
    other_inter = _cert(name("Other Intermediate"), other_inter_key, other_root.subject,
                        other_root_key, ca=True, path_length=0)
    other_leaf = _cert(name("echo-api.amazon.com"), other_leaf_key, other_inter.subject,
                       other_inter_key, ca=False, san="echo-api.amazon.com")
    ca.signers["untrusted"] = Signer(other_leaf_key, pem(other_leaf, other_inter),
                                     f"{CERT_BASE}untrusted.pem")
    return ca
