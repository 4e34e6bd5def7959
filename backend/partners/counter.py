"""The counter page's use cases (柜台核验): the desk a clerk works at, a scan checked against
the desk's live offers, and a confirm that says in one closed set of outcomes what happened."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import Conflict, NotFound, XinyiError
from ..core.keys import KeyRing
from ..core.principal import Principal
from .checks import Check, check_pass
from .models import Offer, Partner, Redemption
from .offers import offer_at, offers_of
from .redemptions import redeem
from .service import partner_of
from .states import Refusal


@dataclass(frozen=True)
class Desk:
    partner: Partner
    offers: list[Offer]  # live now


async def desk(*, actor: Principal) -> Desk:
    partner = await partner_of(actor)
    return Desk(partner, await offers_of(partner.id, live_only=True))


async def check_at_counter(
    *, actor: Principal, keyring: KeyRing, text: str, offer_id: int | None
) -> Check:
    """A scan; an offer chosen on the page counts only while it is live at this partner."""
    partner = await partner_of(actor)
    live = {o.id for o in await offers_of(partner.id, live_only=True)}
    chosen = offer_id if offer_id in live else None
    return await check_pass(actor=actor, keyring=keyring, text=text, offer_id=chosen)


@dataclass(frozen=True)
class Confirmed:
    """确认办理: recorded (`created` False when a resubmitted form found the first one), or
    refused with a reason the clerk reads (`refusal` is the error behind it)."""

    offer: Offer | None
    redemption: Redemption | None = None
    created: bool = False
    reason: str = ""
    refusal: XinyiError | None = None

    @property
    def ok(self) -> bool:
        return self.redemption is not None


async def redeem_at_counter(
    *, actor: Principal, keyring: KeyRing, text: str, offer_id: int, idempotency_key: str | None
) -> Confirmed:
    partner = await partner_of(actor)
    offer = await offer_at(partner.id, offer_id)  # for its title, whatever happens
    try:
        redemption, created = await redeem(
            actor=actor,
            keyring=keyring,
            text=text,
            offer_id=offer_id,
            idempotency_key=idempotency_key,
        )
    except (Conflict, NotFound) as exc:
        named = exc.extra.get("reason") or (Refusal.NOT_LIVE if isinstance(exc, NotFound) else "")
        return Confirmed(offer, reason=str(named or Refusal.NOT_ELIGIBLE), refusal=exc)
    if offer is None:  # a resubmitted key found the first redemption, of another offer
        offer = await Offer.get(id=redemption.offer_id)
    return Confirmed(offer, redemption, created)
