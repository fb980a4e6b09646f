"""A private certificate authority shaped like Amazon's: root -> intermediate -> leaf for
echo-api.amazon.com, plus the broken variants the verification tests need."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.timezone.utc)
CERT_BASE = "https://s3.amazonaws.com/echo.api/"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, subject_key, issuer, issuer_key, *, ca: bool, san: str | None = None,
          not_before=None, not_after=None, path_length=None) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=30))
        .not_valid_after(not_after or NOW + dt.timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=True,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


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
    root_key, inter_key = _key(), _key()
    root = _cert(_name("Test Root CA"), root_key, _name("Test Root CA"), root_key, ca=True)
    inter = _cert(_name("Test Intermediate"), inter_key, root.subject, root_key, ca=True,
                  path_length=0)
    ca = AlexaCA(root=root)

    def leaf(name: str, *, san="echo-api.amazon.com", **kw):
        key = _key()
        cert = _cert(_name(san or "no-san"), key, inter.subject, inter_key, ca=False, san=san,
                     **kw)
        ca.signers[name] = Signer(key, pem(cert, inter), f"{CERT_BASE}{name}.pem")

    leaf("good")
    leaf("wrong-san", san="evil.example.com")
    leaf("expired", not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=1))
    # a leaf that signs itself
    self_key = _key()
    self_cert = _cert(_name("echo-api.amazon.com"), self_key, _name("echo-api.amazon.com"),
                      self_key, ca=False, san="echo-api.amazon.com")
    ca.signers["self-signed"] = Signer(self_key, pem(self_cert), f"{CERT_BASE}self-signed.pem")
    # a well-formed chain under a root nobody trusts
    other_root_key, other_inter_key, other_leaf_key = _key(), _key(), _key()
    other_root = _cert(_name("Other Root"), other_root_key, _name("Other Root"), other_root_key,
                       ca=True)
    other_inter = _cert(_name("Other Intermediate"), other_inter_key, other_root.subject,
                        other_root_key, ca=True, path_length=0)
    other_leaf = _cert(_name("echo-api.amazon.com"), other_leaf_key, other_inter.subject,
                       other_inter_key, ca=False, san="echo-api.amazon.com")
    ca.signers["untrusted"] = Signer(other_leaf_key, pem(other_leaf, other_inter),
                                     f"{CERT_BASE}untrusted.pem")
    return ca
