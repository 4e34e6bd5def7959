"""Signing in with a passkey (discoverable, so nothing is typed) and signing out."""

from __future__ import annotations

from typing import Any

from ..audit import service as audit
from ..core import clock
from ..core.context import RelyingParty
from ..core.errors import CeremonyFailed
from ..core.principal import Principal
from . import ceremonies, sessions
from .accounts import Refusal, principal_for, refuse_unless_resident
from .models import Account, AccountStatus, Passkey


async def start_login(*, rp: RelyingParty) -> dict[str, Any]:
    return await ceremonies.authentication_options(rp)


async def finish_login(
    *,
    rp: RelyingParty,
    credential: dict[str, Any],
    secret_key: str,
    session_hours: int,
    device_label: str,
) -> sessions.SignedIn:
    challenge = await ceremonies.consume_challenge(credential, "login")
    raw_id = credential.get("rawId") or credential.get("id")
    if not isinstance(raw_id, str):
        raise CeremonyFailed("the credential has no id")
    passkey = await Passkey.get_or_none(credential_id=raw_id).prefetch_related("account")
    if passkey is None:
        raise CeremonyFailed(
            "this passkey is not registered here", reason=Refusal.UNKNOWN_CREDENTIAL
        )
    account: Account = passkey.account
    handle = credential.get("response", {}).get("userHandle")
    if handle and handle != account.user_handle:
        raise CeremonyFailed("the passkey's user handle does not match its account")
    if account.status != AccountStatus.ACTIVE:
        raise CeremonyFailed(f"this account is {account.status}")
    await refuse_unless_resident(account.person_id)  # type: ignore[attr-defined]
    new_count = ceremonies.verify_assertion(rp, credential, challenge, passkey)
    passkey.sign_count = new_count
    passkey.last_used_at = clock.now()
    await passkey.save(update_fields=["sign_count", "last_used_at"])
    await audit.record(
        action="auth.login",
        actor=principal_for(account),
        subject_person_id=account.person_id,  # type: ignore[attr-defined]
        details={"credential": passkey.credential_id[:16]},
    )
    return await sessions.sign_in(
        account=account, secret_key=secret_key, hours=session_hours, device_label=device_label
    )


async def logout(*, principal: Principal) -> None:
    if principal.session_id:
        await sessions.revoke(principal.session_id)
    await audit.record(action="auth.logout", actor=principal, subject_person_id=principal.person_id)


async def logout_everywhere(*, principal: Principal) -> int:
    count = await sessions.revoke_all(principal.account_id)
    await audit.record(
        action="auth.logout_everywhere",
        actor=principal,
        subject_person_id=principal.person_id,
        details={"sessions": count},
    )
    return count
