"""Who acts for which partner, and the partner's own staff and API keys."""

from __future__ import annotations

from typing import Any

from ..apitokens import service as tokens
from ..apitokens.models import ApiToken
from ..auth.models import Account
from ..auth.staff import create_staff_account
from ..core.errors import Forbidden, NotFound, invalid
from ..core.principal import Principal
from ..core.ttlcache import TTLCache
from .models import Partner, PartnerMember
from .states import PartnerStatus

PARTNER_SCOPES = ("passes.verify", "redemptions.create", "redemptions.report", "offers.read")
# The catalog department whose record types a partner's outcomes become.
RECORD_DEPARTMENT = {
    "library": "library",
    "hospital": "hospital",
    "transit": "transit",
    "utilities": "utilities",
}
OPERATOR_ROLES = ("counter_operator", "partner_admin")

PARTNERS: TTLCache[Partner | None] = TTLCache(10, shared="partners")


async def cached_partner(partner_id: int) -> Partner | None:
    return await PARTNERS.get(partner_id, lambda: Partner.get_or_none(id=partner_id))


async def partner_of(principal: Principal) -> Partner:
    """The approved partner a staff member or a partner API key acts for."""
    partner_id: int | None = None
    if principal.token_id is not None:
        partner_id = int(principal.org_ref) if principal.org_ref.isdigit() else None
    else:
        member = await PartnerMember.get_or_none(account_id=principal.account_id)
        partner_id = member.partner_id if member else None
    partner = await cached_partner(partner_id) if partner_id else None
    if partner is None or partner.status != PartnerStatus.APPROVED:
        raise Forbidden("you do not act for an approved partner")
    return partner


async def add_operator(
    *, admin: Principal, display_name: str, role: str = "counter_operator"
) -> tuple[int, str]:
    partner = await partner_of(admin)
    if role not in OPERATOR_ROLES:
        raise invalid("role", "counter_operator or partner_admin")
    account, code = await create_staff_account(
        officer=admin, display_name=display_name, roles=[role], organisation=partner.name
    )
    await PartnerMember.create(partner_id=partner.id, account_id=account.id)
    return account.id, code


async def members(*, admin: Principal) -> list[dict[str, Any]]:
    partner = await partner_of(admin)
    ids = await PartnerMember.filter(partner_id=partner.id).values_list("account_id", flat=True)
    accounts = await Account.filter(id__in=list(ids)).order_by("id")
    return [
        {
            "id": a.id,
            "display_name": a.display_name,
            "roles": a.roles.split(","),
            "disabled": a.disabled_at is not None,
        }
        for a in accounts
    ]


async def create_key(*, admin: Principal, label: str, scopes: list[str]) -> tuple[int, str, str]:
    partner = await partner_of(admin)
    chosen = sorted(set(scopes))
    if not chosen or any(s not in PARTNER_SCOPES for s in chosen):
        raise invalid("scopes", f"choose from {', '.join(PARTNER_SCOPES)}")
    row, secret = await tokens.create_token(
        officer=admin, kind="partner", organisation=str(partner.id), label=label, scopes=chosen
    )
    return row.id, row.prefix, secret


async def list_keys(*, admin: Principal) -> list[ApiToken]:
    partner = await partner_of(admin)
    return [
        t for t in await tokens.list_tokens(kind="partner") if t.organisation == str(partner.id)
    ]


async def revoke_key(*, admin: Principal, token_id: int) -> None:
    partner = await partner_of(admin)
    keys = {t.id for t in await list_keys(admin=admin)}
    if token_id not in keys:
        raise NotFound(f"no such key at {partner.name}")
    await tokens.revoke_token(officer=admin, token_id=token_id)
