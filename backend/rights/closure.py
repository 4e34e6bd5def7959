"""closeMyAccount: remove what sign-in and the app keep for the resident, revoke passes,
reports and helper grants at once; keep what the law requires (privacy notice, `closing`).

The account row stays without passkeys, so enrolling again later (name + ID number, or a
counter code) registers a new passkey on it, as for any account that has none."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..auth.models import Account, Passkey, RecoveryCode, WebSession
from ..core import clock
from ..core.principal import Principal
from ..family.service import end_all
from ..notices.models import Notice
from ..passes.models import DeviceKey
from ..passes.service import revoke_people
from .confirm import person_of
from .models import CreditReport
from .notice import privacy_notice


async def close(*, principal: Principal) -> dict[str, Any]:
    person_id = person_of(principal)
    account_id = principal.account_id
    now = clock.now()
    async with in_transaction():
        removed = {
            "passkeys": await Passkey.filter(account_id=account_id).delete(),
            "recovery_codes": await RecoveryCode.filter(account_id=account_id).delete(),
            "devices": await DeviceKey.filter(account_id=account_id, removed_at=None).update(
                removed_at=clock.now_seconds()
            ),
            "sessions": await WebSession.filter(account_id=account_id, revoked_at=None).update(
                revoked_at=now
            ),
            "notifications": await Notice.filter(person_id=person_id).delete(),
            "credit_reports": await CreditReport.filter(
                person_id=person_id, revoked_at=None
            ).update(revoked_at=now),
        }
        await Account.filter(id=account_id).update(locale=None, elder_mode=False)
        removed["helper_grants"] = await end_all(person_id=person_id, by="closed")
        await audit.record(action="account.closed", actor=principal,
                           subject_person_id=person_id, details=removed)  # fmt: skip
    removed["passes"] = await revoke_people([person_id], "account_closed")
    closing = privacy_notice()["closing"]
    return {"closed": True, "removed": removed, "kept": closing["kept"],
            "what_was_removed": closing["removed"]}  # fmt: skip
