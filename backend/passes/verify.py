"""Checking a scanned pass: pure, shared by the online API and the offline reference
verifier (`scripts/verify_pass`). Every failure has a machine-readable reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from .format import STEP_SECONDS, Certificate, FormatError, Presentation, parse_text

MAX_STEP_DRIFT = 2  # ±60 s between the device's step and the verifier's clock
ISSUE_SKEW = 300  # a certificate "issued" up to 5 minutes in the future is clock skew

REASONS = (
    "valid",
    "malformed",  # not a pass: truncated, padded, garbage, wrong version
    "unknown_key",  # key id not in the published keys
    "bad_signature",  # the certificate was not signed by that key (forged or altered)
    "expired",  # the certificate's validity ended
    "not_yet_valid",  # issued in the future: the verifier's clock is wrong
    "stale_presentation",  # older than 60 s: a screenshot or a replay
    "clock_skew",  # from more than 60 s in the future: the phone's clock is wrong
    "bad_presentation",  # not signed by the device key bound in the certificate
    "revoked",  # the status list marks this pass as revoked
)


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    presentation: Presentation | None = None

    @property
    def certificate(self) -> Certificate | None:
        return self.presentation.certificate if self.presentation else None


def kid_text(kid: bytes) -> str:
    return bytes_to_base64url(kid)


def public_key_from_jwk(jwk: dict[str, str]) -> Ed25519PublicKey:
    raw = base64url_to_bytes(jwk["x"])
    return Ed25519PublicKey.from_public_bytes(raw)


def check_device_signature(p: Presentation) -> bool:
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p.certificate.device_key)
        r = int.from_bytes(p.signature[:32], "big")
        s = int.from_bytes(p.signature[32:], "big")
        key.verify(encode_dss_signature(r, s), p.signed_bytes(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_text(
    text: str,
    *,
    keys: dict[str, Ed25519PublicKey],
    is_revoked: Callable[[int], bool],
    now: int,
) -> Verdict:
    """Format, key, signature, validity window, freshness, device binding, status."""
    try:
        p = parse_text(text)
    except FormatError:
        return Verdict(False, "malformed")
    cert = p.certificate
    key = keys.get(kid_text(cert.kid))
    if key is None:
        return Verdict(False, "unknown_key", p)
    try:
        key.verify(cert.signature, cert.body())
    except InvalidSignature:
        return Verdict(False, "bad_signature", p)
    if now >= cert.expires_at:
        return Verdict(False, "expired", p)
    if cert.issued_at > now + ISSUE_SKEW:
        return Verdict(False, "not_yet_valid", p)
    if not cert.paper:
        current = now // STEP_SECONDS
        if p.step < current - MAX_STEP_DRIFT:
            return Verdict(False, "stale_presentation", p)
        if p.step > current + MAX_STEP_DRIFT:
            return Verdict(False, "clock_skew", p)
        if not check_device_signature(p):
            return Verdict(False, "bad_presentation", p)
    if is_revoked(cert.status_index):
        return Verdict(False, "revoked", p)
    return Verdict(True, "valid", p)
