"""A phone, for tests: a P-256 key that signs presentations like the PWA does. By default the
certificate binds the device key itself; `renew_body(fresh=True)` adds a fresh presentation
key as the PWA does at every renewal."""

from __future__ import annotations

import base64
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from backend.passes import base45
from backend.passes.format import PREFIX, STEP_SECONDS


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_of(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    n = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64u(n.x.to_bytes(32, "big")),
        "y": b64u(n.y.to_bytes(32, "big")),
    }


@dataclass
class Phone:
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    certificate: bytes = b""
    signer: ec.EllipticCurvePrivateKey | None = None  # the key the certificate binds

    def jwk(self) -> dict[str, str]:
        return jwk_of(self.key)

    def renew_body(self, *, fresh: bool = False) -> dict[str, Any]:
        """The issuePass body; with `fresh`, a new presentation key for this certificate."""
        if not fresh:
            self.signer = None
            return {"device_key": self.jwk()}
        self.signer = ec.generate_private_key(ec.SECP256R1())
        return {"device_key": self.jwk(), "presentation_key": jwk_of(self.signer)}

    def take(self, issued: dict[str, object]) -> None:
        text = str(issued["certificate"])
        self.certificate = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    def present(self, at: float | None = None) -> str:
        step = int((time.time() if at is None else at) // STEP_SECONDS)
        signed = self.certificate + struct.pack(">I", step)
        key = self.signer or self.key
        r, s = decode_dss_signature(key.sign(signed, ec.ECDSA(hashes.SHA256())))
        return PREFIX + base45.encode(signed + r.to_bytes(32, "big") + s.to_bytes(32, "big"))
