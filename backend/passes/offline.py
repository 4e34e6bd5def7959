"""Offline verification with what a counter caches: the published keys (JWKS) and the
signed status list. Used by `scripts/verify_pass` and by partners' own verifiers."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from webauthn.helpers import base64url_to_bytes

from .verify import Verdict, public_key_from_jwk, verify_text


def keys_from_jwks(jwks: dict[str, Any]) -> dict[str, Ed25519PublicKey]:
    return {
        k["kid"]: public_key_from_jwk(k)
        for k in jwks.get("keys", [])
        if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"
    }


@dataclass(frozen=True)
class StatusList:
    bits: bytes
    issued_at: int
    expires_at: int

    def is_revoked(self, index: int) -> bool:
        byte = index // 8
        return byte < len(self.bits) and bool(self.bits[byte] & (0x80 >> (index % 8)))


class StatusListError(ValueError):
    pass


def load_status_list(token: str, keys: dict[str, Ed25519PublicKey], *, now: int) -> StatusList:
    """Check the status list's signature (a key from the JWKS) and its freshness."""
    try:
        header = jwt.get_unverified_header(token)
        key = keys[header["kid"]]
        claims = jwt.decode(token, key, algorithms=["EdDSA"], options={"verify_exp": False})
    except (jwt.PyJWTError, KeyError) as exc:
        raise StatusListError(f"status list signature not valid: {exc}") from None
    if now >= int(claims["exp"]):
        raise StatusListError("status list expired: fetch a fresh one")
    bits = zlib.decompress(base64url_to_bytes(claims["bits"]))
    return StatusList(bits, int(claims["iat"]), int(claims["exp"]))


def verify_offline(text: str, *, jwks: dict[str, Any], status_token: str, now: int) -> Verdict:
    keys = keys_from_jwks(jwks)
    status = load_status_list(status_token, keys, now=now)
    return verify_text(text, keys=keys, is_revoked=status.is_revoked, now=now)


def main_json(text: str, jwks_path: str, status_path: str, now: int) -> dict[str, Any]:
    with open(jwks_path, encoding="utf-8") as fh:
        jwks = json.load(fh)
    with open(status_path, encoding="utf-8") as fh:
        token = fh.read().strip()
    try:
        verdict = verify_offline(text, jwks=jwks, status_token=token, now=now)
    except StatusListError as exc:
        return {"valid": False, "reason": "status_list_unusable", "detail": str(exc)}
    cert = verdict.certificate
    return {
        "valid": verdict.valid,
        "reason": verdict.reason,
        "tier": cert.tier if cert else None,
        "lists": list(cert.lists) if cert else [],
        "paper_pass_check_id_card": bool(cert and cert.paper),
        "expires_at": cert.expires_at if cert else None,
    }
