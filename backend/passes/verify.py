"""Checking a scanned pass: pure, shared by the online API and the offline reference
verifier (`scripts/verify_pass`), so both apply the checks in the one order of
docs/pass-format.md. Every failure has a machine-readable reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from . import format_v1
from .format import (
    STEP_SECONDS,
    Certificate,
    FormatError,
    canonical_text,
    curve_point,
    open_sealed,
    parse_text,
)

MAX_STEP_DRIFT = 2  # accepted steps: ⌊now/30⌋ − 2 … ⌊now/30⌋ + 2
ISSUE_SKEW = 300  # a certificate "issued" up to 5 minutes in the future is clock skew
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

REASONS = (
    "valid",
    "malformed",  # not a pass: not ASCII, truncated, padded, garbage, wrong version, bad content
    "unknown_key",  # signing key id not in the JWKS, or eligibility key id not in the bundle
    "bad_signature",  # the certificate was not signed by that key (forged or altered)
    "expired",  # the certificate's validity ended
    "not_yet_valid",  # issued in the future: the verifier's clock is wrong
    "stale_presentation",  # step too old: a screenshot or a replay
    "clock_skew",  # step too far ahead: the phone's clock is wrong
    "bad_presentation",  # not signed by the device key bound in the certificate
    "status_list_unusable",  # offline: no valid, fresh status list to check revocation
    "revoked",  # the status list (online: the server's record) marks this pass as revoked
    "used",  # online: this presentation was already redeemed at this partner
)


class StatusListError(ValueError):
    """The cached status list cannot be used (missing, forged, stale, wrong shape)."""


class StatusSource(Protocol):
    def is_revoked(self, index: int) -> bool:
        """True when bit `index` is set; raises StatusListError when the list is unusable."""
        ...


class NeverRevoked:
    """Online: revocation comes from the database after the pure checks."""

    def is_revoked(self, index: int) -> bool:
        return False


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    certificate: Certificate | None = None  # known once the signature verified and it opened
    pass_id: bytes | None = None  # in the clear header: known once the signature verified
    # certificate || step: what a redemption's identity is computed from (the device
    # signature is left out, so its (r, n − s) twin is the same presentation)
    signed: bytes = b""
    version: int = 2


def kid_text(kid: bytes) -> str:
    return bytes_to_base64url(kid)


def public_key_from_jwk(jwk: Mapping[str, str]) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64url_to_bytes(jwk["x"]))


def canonical_signature(signature: bytes) -> bytes:
    """(r, s) → (r, min(s, n − s)): the low-s form that both twins of a signature share."""
    r, s = signature[:32], int.from_bytes(signature[32:], "big")
    return r + min(s, P256_ORDER - s).to_bytes(32, "big")


def check_device_signature(device_key: bytes, signature: bytes, signed: bytes) -> bool:
    """ECDSA P-256/SHA-256, raw r || s; high and low s both verify (WebCrypto emits either)."""
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < P256_ORDER and 0 < s < P256_ORDER):
        return False
    key = curve_point(device_key)
    if key is None:
        return False
    try:
        key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _device_check(device_key: bytes, signature: bytes, signed: bytes) -> str | None:
    return None if check_device_signature(device_key, signature, signed) else "bad_presentation"


def _time_checks(cert: Certificate, step: int | None, now: int) -> str | None:
    if now >= cert.expires_at:
        return "expired"
    if cert.issued_at > now + ISSUE_SKEW:
        return "not_yet_valid"
    if step is not None:
        current = now // STEP_SECONDS
        if step < current - MAX_STEP_DRIFT:
            return "stale_presentation"
        if step > current + MAX_STEP_DRIFT:
            return "clock_skew"
    return None


def _status(cert: Certificate, status: StatusSource) -> str | None:
    try:
        return "revoked" if status.is_revoked(cert.status_index) else None
    except StatusListError:
        return "status_list_unusable"


def verify_text(
    text: str,
    *,
    keys: Mapping[str, Ed25519PublicKey],
    eligibility_keys: Mapping[int, bytes],
    status: StatusSource,
    now: int,
) -> Verdict:
    """The ordered checks of docs/pass-format.md; the first failure is the reason."""
    try:
        head = canonical_text(text)[:4]
    except FormatError:
        return Verdict(False, "malformed")
    if head == format_v1.PREFIX:
        return _verify_v1(text, keys=keys, status=status, now=now)
    try:
        p = parse_text(text)  # 1. malformed (the text)
    except FormatError:
        return Verdict(False, "malformed")
    header = p.sealed.header
    key = keys.get(kid_text(header.kid))
    eligibility_key = eligibility_keys.get(header.ekid)
    if key is None or eligibility_key is None:  # 2.
        return Verdict(False, "unknown_key")
    try:  # 3.
        key.verify(p.sealed.signature, p.sealed.signed_part)
    except InvalidSignature:
        return Verdict(False, "bad_signature")
    try:  # 4. malformed (the sealed content)
        cert = open_sealed(p, eligibility_key)
    except FormatError:
        return Verdict(False, "malformed", pass_id=header.pass_id)
    signed = b"" if p.paper_layout else p.signed_bytes()
    found = _time_checks(cert, None if p.paper_layout else p.step, now)  # 5.–8.
    if found is None and not p.paper_layout:  # 9.
        found = _device_check(cert.device_key, p.signature, signed)
    found = found or _status(cert, status)  # 10., 11.
    return Verdict(found is None, found or "valid", cert, header.pass_id, signed)


def _verify_v1(
    text: str, *, keys: Mapping[str, Ed25519PublicKey], status: StatusSource, now: int
) -> Verdict:
    """Version 1, the same order without sealing; refused outright from V1_REFUSED_FROM."""
    if now >= format_v1.V1_REFUSED_FROM:
        return Verdict(False, "malformed", version=1)
    try:
        p = format_v1.parse_text(text)
    except FormatError:
        return Verdict(False, "malformed", version=1)
    old = p.certificate
    key = keys.get(kid_text(old.kid))
    if key is None:
        return Verdict(False, "unknown_key", version=1)
    try:
        key.verify(old.signature, old.body())
    except InvalidSignature:
        return Verdict(False, "bad_signature", version=1)
    cert = Certificate(
        old.kid, 0, old.pass_id, old.issued_at, old.expires_at, old.tier, old.flags,
        old.status_index, old.device_key,
    )  # fmt: skip
    signed = b"" if old.paper else p.signed_bytes()
    found = _time_checks(cert, None if old.paper else p.step, now)
    if found is None and not old.paper:
        found = _device_check(old.device_key, p.signature, signed)
    found = found or _status(cert, status)
    return Verdict(found is None, found or "valid", cert, old.pass_id, signed, version=1)
