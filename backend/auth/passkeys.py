"""The signed-in account's passkeys (add, list, rename, remove) and recovery codes (恢复码)."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core.context import RelyingParty
from ..core.crypto import new_code, secret_hash
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.principal import Principal
from . import registration
from .accounts import Refusal
from .models import Account, Passkey, RecoveryCode

RECOVERY_CODE_COUNT = 10


async def start_adding_passkey(*, rp: RelyingParty, principal: Principal) -> dict[str, Any]:
    account = await Account.get(id=principal.account_id)
    return await registration.options_for_account(
        rp, account, {"via": "add", "by": principal.account_id}
    )


async def finish_adding_passkey(
    *, rp: RelyingParty, credential: dict[str, Any], device_label: str, principal: Principal
) -> tuple[Account, int]:
    """Store another passkey on the signed-in account; the account and its passkey count."""
    account = await registration.register_credential(
        rp=rp, credential=credential, device_label=device_label, principal=principal, adding=True
    )
    if account.id != principal.account_id:
        raise ValidationFailed(
            "this ceremony registers a passkey for another account",
            errors=[{"field": "(body)", "message": "start from your own account", "type": "value"}],
        )
    return account, await Passkey.filter(account_id=account.id).count()


async def list_passkeys(*, principal: Principal) -> list[Passkey]:
    return await Passkey.filter(account_id=principal.account_id).order_by("id")


async def remove_passkey(*, principal: Principal, passkey_id: int) -> None:
    """Remove one passkey, never the last. The account row is locked while the passkeys are
    counted, so two removals sent at once cannot each see another passkey and take both."""
    async with in_transaction():
        await Account.select_for_update().filter(id=principal.account_id).first()
        passkey = await Passkey.get_or_none(id=passkey_id, account_id=principal.account_id)
        if passkey is None:
            raise NotFound("no such passkey on your account")
        if await Passkey.filter(account_id=principal.account_id).count() <= 1:
            raise Conflict(
                "you cannot remove your only passkey: add another one first",
                reason=Refusal.LAST_PASSKEY,
            )
        await passkey.delete()
        await audit.record(
            action="passkey.removed",
            actor=principal,
            subject_person_id=principal.person_id,
            details={"credential": passkey.credential_id[:16]},
        )


async def rename_passkey(*, principal: Principal, passkey_id: int, nickname: str) -> Passkey:
    passkey = await Passkey.get_or_none(id=passkey_id, account_id=principal.account_id)
    if passkey is None:
        raise NotFound("no such passkey on your account")
    passkey.nickname = nickname.strip()[:64]
    await passkey.save(update_fields=["nickname"])
    return passkey


async def new_recovery_codes(*, principal: Principal) -> list[str]:
    """Replace the account's recovery codes; they are shown once and stored hashed."""
    codes = [new_code() for _ in range(RECOVERY_CODE_COUNT)]
    async with in_transaction():
        await RecoveryCode.filter(account_id=principal.account_id).delete()
        await RecoveryCode.bulk_create(
            [RecoveryCode(account_id=principal.account_id, code_hash=secret_hash(c)) for c in codes]
        )
        await audit.record(
            action="recovery_codes.generated",
            actor=principal,
            subject_person_id=principal.person_id,
        )
    return codes
