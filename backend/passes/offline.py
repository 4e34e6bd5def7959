"""Offline verification with what a counter caches: its offline bundle (`getOfflineBundle`:
the JWKS, the eligibility keys, the signed status list, its offers). Used by
`scripts/verify_pass`, and the reference for partners' own verifiers."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from webauthn.helpers import base64url_to_bytes

from .format import STATUS_LIST_SIZE
from .verify import StatusListError, Verdict, public_key_from_jwk, verify_text

STATUS_LIST_TYP = "statuslist+jwt"
STATUS_LIST_ISS = "xinyi"
STATUS_LIST_BYTES = STATUS_LIST_SIZE // 8  # 16 MiB inflated, exactly; never more is inflated
MAX_STATUS_LIST_TOKEN = 4 << 20  # a compact JWS longer than 4 MiB is refused unread
STATUS_LIST_ISSUE_SKEW = 300


def keys_from_jwks(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    return {
        k["kid"]: public_key_from_jwk(k)
        for k in jwks.get("keys", [])
        if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"
    }


def eligibility_keys_from(bundle: Mapping[str, Any]) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for item in bundle.get("eligibility_keys", []):
        key = base64url_to_bytes(str(item["k"]))
        if item.get("alg") == "A256CTR" and len(key) == 32:
            found[int(item["ekid"])] = key
    return found


@dataclass(frozen=True)
class StatusList:
    bits: bytes
    issued_at: int
    expires_at: int

    def is_revoked(self, index: int) -> bool:
        return bool(self.bits[index // 8] & (0x80 >> (index % 8)))


@dataclass(frozen=True)
class Unusable:
    """A status list that failed its checks: every pass that reaches the revocation check
    gets `status_list_unusable` there, in its place in the order."""

    detail: str

    def is_revoked(self, index: int) -> bool:
        raise StatusListError(self.detail)


def inflate_exactly(data: bytes, size: int) -> bytes:
    """zlib (RFC 1950) → exactly `size` bytes; a bomb is stopped after size + 1 bytes."""
    worker = zlib.decompressobj()
    try:
        out = worker.decompress(data, size + 1)
    except zlib.error as exc:
        raise StatusListError(f"status list bits are not zlib: {exc}") from None
    if len(out) != size or worker.unconsumed_tail or not worker.eof:
        raise StatusListError(f"status list must inflate to exactly {size} bytes")
    return out


def load_status_list(token: str, keys: Mapping[str, Ed25519PublicKey], *, now: int) -> StatusList:
    """typ, alg, kid from the JWKS, signature, iss, size, inflated size, iat and exp."""
    if len(token) > MAX_STATUS_LIST_TOKEN:
        raise StatusListError("status list too large")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("typ") != STATUS_LIST_TYP or header.get("alg") != "EdDSA":
            raise StatusListError("not a status list (typ statuslist+jwt, alg EdDSA)")
        key = keys[str(header["kid"])]
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            issuer=STATUS_LIST_ISS,
            options={"verify_exp": False, "verify_iat": False, "require": ["iss", "iat", "exp"]},
        )
    except (jwt.PyJWTError, KeyError) as exc:
        raise StatusListError(f"status list signature not valid: {exc}") from None
    iat, exp = int(claims["iat"]), int(claims["exp"])
    if iat > now + STATUS_LIST_ISSUE_SKEW:
        raise StatusListError("status list issued in the future: check this clock")
    if now >= exp:
        raise StatusListError("status list expired: fetch a fresh one")
    if claims.get("size") != STATUS_LIST_SIZE:
        raise StatusListError(f"status list size must be {STATUS_LIST_SIZE}")
    try:
        packed = base64url_to_bytes(str(claims["bits"]))
    except (KeyError, ValueError):
        raise StatusListError("status list bits missing") from None
    return StatusList(inflate_exactly(packed, STATUS_LIST_BYTES), iat, exp)


def status_source(
    token: str | None, keys: Mapping[str, Ed25519PublicKey], *, now: int
) -> StatusList | Unusable:
    if not token:
        return Unusable("no status list")
    try:
        return load_status_list(token, keys, now=now)
    except StatusListError as exc:
        return Unusable(str(exc))


def verify_offline(
    text: str, *, bundle: Mapping[str, Any], now: int, status_token: str | None = None
) -> Verdict:
    """`status_token` overrides the bundle's status list (a fresher one fetched since)."""
    keys = keys_from_jwks(bundle.get("jwks", {}))
    token = status_token if status_token is not None else bundle.get("status_list")
    return verify_text(
        text,
        keys=keys,
        eligibility_keys=eligibility_keys_from(bundle),
        status=status_source(token, keys, now=now),
        now=now,
    )


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    cert = verdict.certificate if verdict.reason != "malformed" else None
    return {
        "valid": verdict.valid,
        "reason": verdict.reason,
        "version": verdict.version,
        "tier": cert.tier if cert else None,
        "lists": list(cert.lists) if cert else [],
        "paper_pass_check_id_card": bool(cert and cert.paper),
        "holder_name": cert.holder_name if cert and cert.paper else None,
        "birth_year": (cert.birth_year or None) if cert and cert.paper else None,
        "expires_at": cert.expires_at if cert else None,
    }


def main_json(text: str, bundle_path: str, status_path: str | None, now: int) -> dict[str, Any]:
    with open(bundle_path, encoding="utf-8") as fh:
        bundle = json.load(fh)
    token = None
    if status_path:
        with open(status_path, encoding="utf-8") as fh:
            token = fh.read().strip()
    return verdict_json(verify_offline(text, bundle=bundle, now=now, status_token=token))
