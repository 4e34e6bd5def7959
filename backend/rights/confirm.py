"""A fresh passkey confirmation before an irreversible or sweeping step (downloading all my
data, closing my account): the passkey signs a challenge bound to the step's name, once.

A session cookie alone is not enough for these: a phone left unlocked, or a stolen cookie,
must not hand over everything the city holds or close the account."""

from __future__ import annotations

import hashlib
import os
from enum import StrEnum
from typing import Any

from ..auth.signing import signing_options, verify_signature
from ..core.context import RelyingParty
from ..core.errors import CeremonyFailed, NotFound
from ..core.principal import Principal


class Step(StrEnum):
    EXPORT = "export"  # exportMyData
    CLOSE = "close"  # closeMyAccount


def person_of(principal: Principal) -> int:
    if principal.person_id is None:
        raise NotFound("only residents in the population register have data here")
    return principal.person_id


def _challenge(step: Step, nonce: bytes) -> bytes:
    return hashlib.sha256(b"xinyi-confirm:" + step.value.encode() + b":" + nonce).digest()


async def start(*, principal: Principal, rp: RelyingParty, step: Step) -> dict[str, Any]:
    """startRightsConfirmation: WebAuthn options (this account's passkeys only) for one step."""
    person_of(principal)
    nonce = os.urandom(16)
    return await signing_options(
        rp,
        account_id=principal.account_id,
        challenge=_challenge(step, nonce),
        intent={"confirm": step.value, "nonce": nonce.hex()},
    )


async def confirmed(*, principal: Principal, rp: RelyingParty, credential: Any, step: Step) -> None:
    """The assertion is this account's, fresh (single use, unexpired) and for this step."""
    if not isinstance(credential, dict) or not credential:
        raise CeremonyFailed(
            "confirm with your passkey first (startRightsConfirmation)",
            reason="confirmation_needed",
        )
    intent, challenge, _ = await verify_signature(rp, credential, account_id=principal.account_id)
    nonce = bytes.fromhex(str(intent.get("nonce", "")))
    if intent.get("confirm") != step.value or challenge != _challenge(step, nonce):
        raise CeremonyFailed("this confirmation was for another step", reason="other_step")
