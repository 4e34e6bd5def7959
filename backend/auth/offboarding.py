"""Offboarding (停用账户): a disabled account loses everything it signs in with at once.

Disabling moves the account to `disabled` (`accounts.ACCOUNT_WORKFLOW`) and, in the same
transaction with its audit entry, revokes its sessions, removes its passkeys and recovery codes
and ends its unused one-time codes. Who may disable whom is decided by the callers: an officer
for staff (`staffchanges`: an officer or auditor only under four eyes), a partner administrator
for their own operators, the credit office for a partner (`partners.offboarding`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audit import service as audit
from ..core import clock, transitions
from ..core.principal import Principal
from .accounts import ACCOUNT_WORKFLOW
from .models import Account, AccountStatus, EnrolmentCode, Passkey, RecoveryCode, WebSession


@dataclass(frozen=True)
class Offboarded:
    account: Account
    sessions: int
    passkeys: int


async def disable_account(
    *, actor: Principal | None, account_id: int, reason: str, actor_label: str = ""
) -> Offboarded:
    """Disable one account and revoke its sessions, passkeys and codes (409 if disabled)."""
    counts: dict[str, int] = {}

    async def record(item: Account, was: AccountStatus) -> None:
        moment = clock.now()
        counts["sessions"] = await WebSession.filter(account_id=item.id, revoked_at=None).update(
            revoked_at=moment
        )
        counts["passkeys"] = await Passkey.filter(account_id=item.id).delete()
        await RecoveryCode.filter(account_id=item.id).delete()
        await EnrolmentCode.filter(account_id=item.id, used_at=None).update(expires_at=moment)
        await audit.record(
            action="account.disabled",
            actor=actor,
            actor_label=actor_label,
            subject_person_id=item.person_id,  # type: ignore[attr-defined]
            purpose=reason[:200],
            details={"account_id": item.id, "from": was.value, **counts},
        )

    account = await transitions.apply(
        ACCOUNT_WORKFLOW,
        Account,
        item_id=account_id,
        to=AccountStatus.DISABLED,
        changes={"disabled_at": clock.now()},
        record=record,
    )
    return Offboarded(account, counts["sessions"], counts["passkeys"])
