"""Deterministic test vectors for docs/pass-format.md (and a test that keeps them true).
Fixed keys and times. The device signature (ECDSA) uses a random nonce in `cryptography`,
so a regenerated vector differs in its last 64 bytes and still verifies."""

from __future__ import annotations

import json
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from webauthn.helpers import base64url_to_bytes

from ..core.keys import SigningKey, kid_for
from .format import FLAG_PAPER, FLAG_RED, NO_DEVICE, Certificate, to_text

SERVER_SEED = bytes(range(32))
DEVICE_SCALAR = int("c0ffee" * 10 + "c0ff", 16)
ISSUED_AT = 1_795_000_000  # 2026-11-18T10:26:40Z
EXPIRES_AT = ISSUED_AT + 86_400
NOW = ISSUED_AT + 3_600


def server_key() -> SigningKey:
    private = Ed25519PrivateKey.from_private_bytes(SERVER_SEED)
    return SigningKey(kid_for(private.public_key()), private)


def device_key() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(DEVICE_SCALAR, ec.SECP256R1())


def certificate(*, paper: bool = False) -> bytes:
    key = server_key()
    point = (
        NO_DEVICE
        if paper
        else device_key().public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    )
    cert = Certificate(
        kid=base64url_to_bytes(key.kid),
        pass_id=bytes.fromhex("0102030405060708090a0b0c"),
        issued_at=ISSUED_AT,
        expires_at=EXPIRES_AT if not paper else ISSUED_AT + 30 * 86_400,
        tier="good",
        flags=FLAG_RED | (FLAG_PAPER if paper else 0),
        status_index=4242,
        device_key=point,
    )
    return cert.body() + key.private.sign(cert.body())


def presentation(at: int = NOW) -> bytes:
    cert = certificate()
    signed = cert + struct.pack(">I", at // 30)
    r, s = decode_dss_signature(device_key().sign(signed, ec.ECDSA(hashes.SHA256())))
    return signed + r.to_bytes(32, "big") + s.to_bytes(32, "big")


def vectors() -> dict[str, Any]:
    key = server_key()
    return {
        "jwks": {"keys": [key.jwk()]},
        "now": NOW,
        "certificate_hex": certificate().hex(),
        "phone_pass_text": to_text(presentation()),
        "paper_pass_text": to_text(certificate(paper=True)),
        "device_public_key_hex": device_key()
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        .hex(),
    }


if __name__ == "__main__":
    print(json.dumps(vectors(), indent=1))
