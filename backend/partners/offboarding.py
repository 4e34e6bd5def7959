"""Offboarding at partners (停止合作 / 停用操作员).

- The credit office disables a partner: approved → suspended, and in the same step every API
  key of the partner is revoked and every account of its staff (administrators and counter
  operators) is disabled — sessions, passkeys and codes with it (`auth.offboarding`).
- A partner administrator disables one of their own operators (not themselves) at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..apitokens import service as tokens
from ..apitokens.service import TokenKind
from ..audit import service as audit
from ..auth import offboarding
from ..auth.models import Account, AccountStatus
from ..core import clock
from ..core.errors import Conflict, Forbidden, NotFound
from ..core.forms import required_reason
from ..core.principal import Principal
from ..core.transitions import apply as transition
from .models import Partner, PartnerMember
from .service import PARTNERS, partner_of
from .states import PARTNER_WORKFLOW, PartnerStatus, Refusal


@dataclass(frozen=True)
class PartnerOffboarded:
    partner: Partner
    keys_revoked: int
    accounts_disabled: int


async def disable_partner(*, officer: Principal, partner_id: int, reason: str) -> PartnerOffboarded:
    """Suspend an approved partner, revoke its keys and disable its staff, all at once."""
    text = required_reason(reason)
    counts: dict[str, int] = {}

    async def record(partner: Partner, _was: PartnerStatus) -> None:
        counts["keys"] = await tokens.revoke_organisation(
            actor=officer, kind=TokenKind.PARTNER, organisation=str(partner.id)
        )
        ids = await PartnerMember.filter(partner_id=partner.id).values_list("account_id", flat=True)
        live = await Account.filter(id__in=list(ids)).exclude(status=AccountStatus.DISABLED)
        for account in live:
            await offboarding.disable_account(
                actor=officer, account_id=account.id, reason=f"{partner.name}: {text}"
            )
        counts["accounts"] = len(live)
        await audit.record(
            action="partner.disabled",
            actor=officer,
            purpose=text,
            details={"partner": partner.id, "keys": counts["keys"], "accounts": len(live)},
        )

    partner = await transition(
        PARTNER_WORKFLOW,
        Partner,
        item_id=partner_id,
        to=PartnerStatus.SUSPENDED,
        changes={"decided_at": clock.now()},
        record=record,
    )
    await PARTNERS.invalidate(partner.id)
    return PartnerOffboarded(partner, counts["keys"], counts["accounts"])


async def disable_operator(*, admin: Principal, account_id: int, reason: str) -> Account:
    """A partner administrator disables one of their partner's operators (never themselves)."""
    text = required_reason(reason)
    partner = await partner_of(admin)
    if not await PartnerMember.filter(partner_id=partner.id, account_id=account_id).exists():
        raise NotFound(f"no such operator at {partner.name}", reason=Refusal.NOT_MEMBER)
    if account_id == admin.account_id:
        raise Forbidden("another administrator or the credit office disables your account")
    account = await Account.get(id=account_id)
    if account.status == AccountStatus.DISABLED:
        raise Conflict("this operator is disabled already", reason=Refusal.ALREADY_DISABLED)
    done = await offboarding.disable_account(
        actor=admin, account_id=account_id, reason=f"{partner.name}: {text}"
    )
    return done.account


async def approved_partners() -> list[Partner]:
    """The partners the office may disable."""
    return await Partner.filter(status=PartnerStatus.APPROVED).order_by("name")
