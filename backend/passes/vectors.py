"""Deterministic test vectors for docs/pass-format.md (and a test that keeps them true):
fixed keys, times, pass ids and status list, byte-for-byte stable: Ed25519 and zlib are
deterministic, and the device signature here uses RFC 6979 deterministic ECDSA (a phone's
WebCrypto uses random nonces; both verify the same way).

    python -m backend.passes.vectors > tests/passes/vectors.json
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from ..core.keys import SigningKey, kid_for
from .format import (
    FLAG_PAPER,
    FLAG_RED,
    STATUS_LIST_SIZE,
    STEP_SECONDS,
    Certificate,
    seal,
    to_text,
)
from .sealing import day_of, derive_key

SERVER_SEED = bytes(range(32))
ELIGIBILITY_SECRET = bytes(range(32, 64))
DEVICE_SCALAR = int("c0ffee" * 10 + "c0ff", 16)
ISSUED_AT = 1_795_000_000  # 2026-11-18T10:26:40Z, UTC day 20775
EXPIRES_AT = ISSUED_AT + 86_400
PAPER_EXPIRES_AT = ISSUED_AT + 7 * 86_400
NOW = ISSUED_AT + 3_600
EKID = day_of(ISSUED_AT)
PHONE_PASS_ID = bytes.fromhex("0102030405060708090a0b0c")
PAPER_PASS_ID = bytes.fromhex("a1a2a3a4a5a6a7a8a9aaabac")
STATUS_INDEX = 4242
PAPER_STATUS_INDEX = 77_000_001
HOLDER_NAME = "张*明"
BIRTH_YEAR = 1990


def server_key() -> SigningKey:
    private = Ed25519PrivateKey.from_private_bytes(SERVER_SEED)
    return SigningKey(kid_for(private.public_key()), private)


def device_key() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(DEVICE_SCALAR, ec.SECP256R1())


def eligibility_key() -> bytes:
    return derive_key(ELIGIBILITY_SECRET, EKID)


def device_point() -> bytes:
    return device_key().public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


def opened(*, paper: bool = False) -> Certificate:
    kid = base64url_to_bytes(server_key().kid)
    if paper:
        return Certificate(
            kid, EKID, PAPER_PASS_ID, ISSUED_AT, PAPER_EXPIRES_AT, "good",
            FLAG_RED | FLAG_PAPER, PAPER_STATUS_INDEX,
            birth_year=BIRTH_YEAR, holder_name=HOLDER_NAME,
        )  # fmt: skip
    return Certificate(
        kid, EKID, PHONE_PASS_ID, ISSUED_AT, EXPIRES_AT, "good", FLAG_RED, STATUS_INDEX,
        device_key=device_point(),
    )  # fmt: skip


def certificate(*, paper: bool = False) -> bytes:
    signed = seal(opened(paper=paper), eligibility_key())
    return signed + server_key().private.sign(signed)


def presentation(at: int = NOW) -> bytes:
    signed = certificate() + struct.pack(">I", at // STEP_SECONDS)
    ecdsa = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    r, s = decode_dss_signature(device_key().sign(signed, ecdsa))
    return signed + r.to_bytes(32, "big") + s.to_bytes(32, "big")


def status_list(revoked: tuple[int, ...] = (STATUS_INDEX,), *, iat: int = NOW) -> str:
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    key = server_key()
    return jwt.encode(
        {
            "iss": "xinyi",
            "iat": iat,
            "exp": iat + 300,
            "size": STATUS_LIST_SIZE,
            "bits": bytes_to_base64url(zlib.compress(bytes(bits), 9)),
        },
        key.private,
        algorithm="EdDSA",
        headers={"kid": key.kid, "typ": "statuslist+jwt"},
    )


def bundle(*, status_token: str) -> dict[str, Any]:
    """An offline bundle as `getOfflineBundle` answers, with the vectors' keys (no offers)."""
    return {
        "format_versions": [2],
        "generated_at": NOW,
        "refresh_by": NOW + 86_400,
        "jwks": {"keys": [server_key().jwk()]},
        "eligibility_keys": [
            {
                "ekid": EKID,
                "alg": "A256CTR",
                "k": bytes_to_base64url(eligibility_key()),
                "not_before": EKID * 86_400,
                "not_after": (EKID + 1) * 86_400,
            }
        ],
        "status_list": status_token,
        "status_list_ttl": 300,
        "offers": [],
    }


def vectors() -> dict[str, Any]:
    empty = status_list(())
    return {
        "now": NOW,
        "eligibility_secret_hex": ELIGIBILITY_SECRET.hex(),
        "eligibility_key_hex": eligibility_key().hex(),
        "ekid": EKID,
        "device_public_key_hex": device_point().hex(),
        "phone_certificate_hex": certificate().hex(),
        "phone_plaintext_hex": opened().plaintext().hex(),
        "phone_pass_text": to_text(presentation()),
        "paper_certificate_hex": certificate(paper=True).hex(),
        "paper_plaintext_hex": opened(paper=True).plaintext().hex(),
        "paper_pass_text": to_text(certificate(paper=True)),
        "status_list_revoking_4242": status_list(),
        "status_list_empty": empty,
        "bundle": bundle(status_token=empty),
    }


if __name__ == "__main__":
    print(json.dumps(vectors(), indent=1, ensure_ascii=False))
