"""The test suite's certificate authority (skill.dev.ca) with the variants the verification tests
need: a good leaf, a rotated one, a wrong SAN, an expired leaf, a self-signed leaf, and a
well-formed chain under a root nobody trusts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509

from skill.dev.ca import CERT_BASE, Authority, Leaf, self_signed_leaf


@dataclass
class AlexaCA:
    root: x509.Certificate
    signers: dict[str, Leaf] = field(default_factory=dict)

    def chains(self) -> dict[str, bytes]:
        return {s.url: s.chain_pem for s in self.signers.values()}


def build_ca() -> AlexaCA:
    now = dt.datetime.now(dt.timezone.utc)
    trusted, untrusted = Authority("Test"), Authority("Other")
    ca = AlexaCA(root=trusted.root)
    ca.signers = {
        "good": trusted.leaf(f"{CERT_BASE}good.pem"),
        "rotated": trusted.leaf(f"{CERT_BASE}rotated.pem"),  # as after Amazon rotates its leaf
        "wrong-san": trusted.leaf(f"{CERT_BASE}wrong-san.pem", san="evil.example.com"),
        "expired": trusted.leaf(f"{CERT_BASE}expired.pem", not_before=now - dt.timedelta(days=400),
                                not_after=now - dt.timedelta(days=1)),
        "self-signed": self_signed_leaf(f"{CERT_BASE}self-signed.pem"),
        "untrusted": untrusted.leaf(f"{CERT_BASE}untrusted.pem"),
    }
    return ca
