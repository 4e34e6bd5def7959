"""A phone, for tests: a P-256 device key that signs presentations like the PWA does."""

from __future__ import annotations

import base64
import struct
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from backend.passes import base45
from backend.passes.format import PREFIX, STEP_SECONDS


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Phone:
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    certificate: bytes = b""

    def jwk(self) -> dict[str, str]:
        n = self.key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64u(n.x.to_bytes(32, "big")),
            "y": b64u(n.y.to_bytes(32, "big")),
        }

    def take(self, issued: dict[str, object]) -> None:
        text = str(issued["certificate"])
        self.certificate = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    def present(self, at: float | None = None) -> str:
        step = int((time.time() if at is None else at) // STEP_SECONDS)
        signed = self.certificate + struct.pack(">I", step)
        r, s = decode_dss_signature(self.key.sign(signed, ec.ECDSA(hashes.SHA256())))
        return PREFIX + base45.encode(signed + r.to_bytes(32, "big") + s.to_bytes(32, "big"))
