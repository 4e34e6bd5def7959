"""WebAuthn ceremonies with py_webauthn: options out, standard JSON in.

Challenges are random, stored with a short expiry, and consumed atomically, so a replayed
or expired response is refused. User verification is required and credentials are
discoverable (resident keys), so residents sign in without typing anything.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..core import clock
from ..core.context import RelyingParty
from ..core.errors import CeremonyFailed, ChallengeExpired
from .models import Challenge, Passkey

CHALLENGE_TTL = dt.timedelta(minutes=5)
TIMEOUT_MS = 300_000


async def _new_challenge(purpose: str, intent: dict[str, Any]) -> bytes:
    raw = os.urandom(32)
    await Challenge.create(
        challenge=bytes_to_base64url(raw),
        purpose=purpose,
        intent=intent,
        expires_at=clock.now() + CHALLENGE_TTL,
    )
    return raw


async def registration_options(
    rp: RelyingParty,
    *,
    user_handle: str,
    user_name: str,
    display_name: str,
    intent: dict[str, Any],
    exclude: list[str] | None = None,
) -> dict[str, Any]:
    challenge = await _new_challenge("register", {**intent, "user_handle": user_handle})
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=rp.name,
        user_id=base64url_to_bytes(user_handle),
        user_name=user_name,
        user_display_name=display_name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in (exclude or [])
        ],
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


async def authentication_options(rp: RelyingParty) -> dict[str, Any]:
    challenge = await _new_challenge("login", {})
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


def _client_challenge(credential: dict[str, Any]) -> str:
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        challenge = client_data["challenge"]
    except (KeyError, TypeError, ValueError) as exc:
        raise CeremonyFailed("the credential's clientDataJSON is missing or unreadable") from exc
    if not isinstance(challenge, str):
        raise CeremonyFailed("the credential's challenge is not a string")
    return challenge


async def consume_challenge(credential: dict[str, Any], purpose: str) -> Challenge:
    """Find the challenge the client signed and use it up, exactly once."""
    value = _client_challenge(credential)
    row = await Challenge.get_or_none(challenge=value, purpose=purpose)
    now = clock.now()
    if row is None:
        raise CeremonyFailed("unknown challenge: start the ceremony again")
    if row.used_at is not None:
        raise ChallengeExpired("this challenge was already used: start again")
    if row.expires_at <= now:
        raise ChallengeExpired("the challenge expired: start again")
    taken = await Challenge.filter(id=row.id, used_at=None).update(used_at=now)
    if taken != 1:
        raise ChallengeExpired("this challenge was already used: start again")
    return row


@dataclass(frozen=True)
class NewCredential:
    credential_id: str
    public_key: bytes
    sign_count: int
    aaguid: str
    backed_up: bool
    transports: str


def verify_registration(
    rp: RelyingParty, credential: dict[str, Any], challenge: Challenge
) -> NewCredential:
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge.challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise CeremonyFailed(f"the passkey could not be verified: {exc}") from None
    transports = credential.get("response", {}).get("transports") or []
    if not isinstance(transports, list):  # client-supplied: ignore anything but a list
        transports = []
    return NewCredential(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        aaguid=str(verified.aaguid),
        backed_up=verified.credential_backed_up,
        transports=",".join(str(t) for t in transports if isinstance(t, str))[:100],
    )


def verify_assertion(
    rp: RelyingParty, credential: dict[str, Any], challenge: Challenge, passkey: Passkey
) -> int:
    """Verify a sign-in assertion; return the new signature counter."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge.challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise CeremonyFailed(f"the passkey could not be verified: {exc}") from None
    return verified.new_sign_count
