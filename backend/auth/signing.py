"""Signing with a passkey (not signing in): the resident approves an exact text.

The caller computes the challenge from what is being approved (e.g. the SHA-256 of a
commitment text and a nonce), so the assertion proves this person approved this text. Only
the signer's own passkeys are offered and accepted; the challenge is single-use and expires
like every other ceremony's."""

from __future__ import annotations

import json
from typing import Any

from webauthn import generate_authentication_options, options_to_json
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

from ..core import clock
from ..core.context import RelyingParty
from ..core.errors import CeremonyFailed
from .ceremonies import CHALLENGE_TTL, TIMEOUT_MS, consume_challenge, verify_assertion
from .models import Challenge, Passkey

PURPOSE = "sign"


async def signing_options(
    rp: RelyingParty, *, account_id: int, challenge: bytes, intent: dict[str, Any]
) -> dict[str, Any]:
    """WebAuthn request options over `challenge`, offering only this account's passkeys."""
    passkeys = await Passkey.filter(account_id=account_id).values_list("credential_id", flat=True)
    if not passkeys:
        raise CeremonyFailed("register a passkey first: signing needs one", reason="no_passkey")
    await Challenge.create(
        challenge=bytes_to_base64url(challenge),
        purpose=PURPOSE,
        intent={**intent, "account_id": account_id},
        expires_at=clock.now() + CHALLENGE_TTL,
    )
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(str(c))) for c in passkeys
        ],
    )
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


async def verify_signature(
    rp: RelyingParty, credential: dict[str, Any], *, account_id: int
) -> tuple[dict[str, Any], bytes, Passkey]:
    """Check a signing assertion: the challenge was issued to this account and is used up
    now, the passkey is this account's own, and the signature verifies with user
    verification. Returns the challenge's intent, the challenge bytes and the passkey."""
    challenge = await consume_challenge(credential, PURPOSE)
    if int(challenge.intent.get("account_id", 0)) != account_id:
        raise CeremonyFailed("this signing was started by someone else", reason="not_yours")
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    passkey = await Passkey.get_or_none(credential_id=str(credential_id), account_id=account_id)
    if passkey is None:
        raise CeremonyFailed("sign with one of your own passkeys", reason="not_your_passkey")
    passkey.sign_count = verify_assertion(rp, credential, challenge, passkey)
    passkey.last_used_at = clock.now()
    await passkey.save(update_fields=["sign_count", "last_used_at"])
    return dict(challenge.intent), base64url_to_bytes(challenge.challenge), passkey
