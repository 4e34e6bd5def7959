"""Who an API token speaks for: a department's system, or an approved partner's."""

from __future__ import annotations

from ..apitokens.service import authenticate
from ..core.permissions import Role
from ..core.principal import Principal
from .service import cached_partner
from .states import PartnerStatus

# The principal a token's fields build, by those fields: every partner call asks for it, and
# building it (the roles' permissions, narrowed to the scopes) cost more than the token's
# cached look-up. Keyed by everything it is built from, so it can never be stale.
_BUILT: dict[tuple[object, ...], Principal] = {}
_BUILT_MAX = 4096


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
    token_fields = (token.id, token.kind, token.prefix, token.label, token.organisation)
    memo: tuple[object, ...] = (*token_fields, token.scopes, organisation, role)
    found = _BUILT.get(memo)
    if found is not None:
        return found
    if len(_BUILT) >= _BUILT_MAX:
        _BUILT.clear()
    found = _BUILT[memo] = Principal.build(
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
    return found
