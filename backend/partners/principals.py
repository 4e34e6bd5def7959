"""Who an API token speaks for: a department's system, or an approved partner's."""

from __future__ import annotations

from ..apitokens.service import authenticate
from ..core.permissions import Role
from ..core.principal import Principal
from .service import cached_partner
from .states import PartnerStatus


async def token_principal(secret: str) -> Principal | None:
    """An organisation's system calling with an API token (no cookie, so no CSRF)."""
    token = await authenticate(secret)
    if token is None:
        return None
    organisation = token.organisation
    role = Role.DEPARTMENT_SYSTEM
    if token.kind == "partner":
        partner = await cached_partner(int(token.organisation))
        if partner is None or partner.status != PartnerStatus.APPROVED:
            return None
        organisation, role = partner.name, Role.PARTNER_SYSTEM
    return Principal.build(
        account_id=0,
        kind=token.kind,
        display_name=f"API {token.prefix} {token.label}".strip(),
        roles={role},
        organisation=organisation,
        org_ref=token.organisation,
        via_cookie=False,
        token_id=token.id,
        scopes=frozenset(token.scopes.split(",")),
    )
