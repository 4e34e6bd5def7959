"""Joining (申请加入): an organisation applies, the credit office approves or rejects it; the
office's queue of applications and offers waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass

from ..audit import service as audit
from ..auth import quota
from ..auth.staff import create_staff_account
from ..core import clock
from ..core.errors import TooManyRequests, invalid
from ..core.principal import Principal
from ..core.transitions import apply as transition
from .eligibility import DOMAINS
from .models import Offer, Partner, PartnerMember
from .offers import pending_offers
from .service import PARTNERS, RECORD_DEPARTMENT
from .states import PARTNER_WORKFLOW, PartnerStatus
from .stats import JointCases, joint_cases

# Applications waiting for the office, at most: anonymous callers cannot grow the table
# without bound even from many addresses (each address also has `quota.PARTNER_APPLICATIONS`).
MAX_WAITING = 500


async def apply(
    *,
    name: str,
    domain: str,
    contact_name: str,
    contact_phone: str,
    address: str,
    client_key: str,
) -> Partner:
    """applyAsPartner (public): throttled per client address and bounded in total."""
    if domain not in DOMAINS:
        raise invalid("domain", f"one of {', '.join(DOMAINS)}")
    await quota.take(quota.PARTNER_APPLICATIONS, f"client:{client_key}")
    if await Partner.filter(status=PartnerStatus.APPLIED).count() >= MAX_WAITING:
        raise TooManyRequests(
            "too many applications are waiting for the credit office: try again later",
            headers={"Retry-After": "3600"},
            retry_after=3600,
        )
    partner = await Partner.create(
        name=name.strip(),
        domain=domain,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        address=address.strip(),
        status=PartnerStatus.APPLIED,
        record_department=RECORD_DEPARTMENT.get(domain, ""),
    )
    await audit.record(
        action="partner.applied", actor_label="public", details={"partner": partner.id}
    )
    return partner


async def decide_partner(
    *, officer: Principal, partner_id: int, approve: bool
) -> tuple[Partner, str | None]:
    """Approving creates the partner's first administrator and returns their one-time code;
    the account, the decision and its audit entry commit together or not at all."""
    codes: list[str] = []

    async def record(partner: Partner, _was: PartnerStatus) -> None:
        if approve:
            account, code = await create_staff_account(
                officer=officer,
                display_name=partner.contact_name,
                roles=["partner_admin"],
                organisation=partner.name,
            )
            await PartnerMember.create(partner_id=partner.id, account_id=account.id)
            codes.append(code)
        await audit.record(
            action="partner.approved" if approve else "partner.rejected",
            actor=officer,
            details={"partner": partner.id},
        )

    partner = await transition(
        PARTNER_WORKFLOW,
        Partner,
        item_id=partner_id,
        to=PartnerStatus.APPROVED if approve else PartnerStatus.REJECTED,
        changes={"decided_by_id": officer.account_id, "decided_at": clock.now()},
        record=record,
    )
    await PARTNERS.invalidate(partner.id)
    return partner, codes[0] if codes else None


async def partners(*, status: str | None = None) -> list[Partner]:
    """listPartners: every partner and application, or those in one state."""
    query = Partner.all() if status is None else Partner.filter(status=status)
    return await query.order_by("id")


@dataclass(frozen=True)
class ApprovalQueue:
    """The credit office's partner page: what waits for a decision, and the joint cases."""

    applications: list[Partner]
    pending: list[tuple[Offer, Partner | None]]
    cases: JointCases


async def approval_queue() -> ApprovalQueue:
    applications = await Partner.filter(status=PartnerStatus.APPLIED).order_by("id")
    return ApprovalQueue(applications, await pending_offers(), await joint_cases())
