"""The partner portal's overview (合作机构管理): what a partner administrator sees at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..apitokens.models import ApiToken
from ..core.principal import Principal
from .models import Offer, Partner, Redemption
from .offers import offers_of
from .offline_models import OfflineItem
from .offline_sync import flagged
from .redemptions import open_redemptions, stats
from .service import list_keys, members, partner_of


@dataclass(frozen=True)
class Overview:
    partner: Partner
    stats: dict[str, Any]
    offers: list[Offer]
    members: list[dict[str, Any]]
    keys: list[ApiToken]
    open_redemptions: list[Redemption]
    offline_flags: list[OfflineItem]  # what offline counters sent that needs a look


async def overview(*, admin: Principal) -> Overview:
    partner = await partner_of(admin)
    return Overview(
        partner=partner,
        stats=await stats(partner_id=partner.id),
        offers=await offers_of(partner.id, live_only=False),
        members=await members(admin=admin),
        keys=await list_keys(admin=admin),
        open_redemptions=await open_redemptions(partner.id),
        offline_flags=await flagged(partner_id=partner.id),
    )
