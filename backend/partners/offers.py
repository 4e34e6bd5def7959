"""Offers (信用惠民措施): a partner registers one, the credit office approves it, residents see
it while it is live, the partner may withdraw it. Every change of state goes through
`core.transitions.apply` with its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..audit import service as audit
from ..core import bulk, clock
from ..core.errors import invalid
from ..core.principal import Principal
from ..core.transitions import apply as transition
from ..core.ttlcache import TTLCache
from ..credit.handling import CounterKind
from ..credit.models import ListKind
from ..passes import service as passes
from .eligibility import REQUIRABLE_LISTS, OfferTerms, WhyNot, counter_kind, why_not
from .models import Offer, Partner
from .service import partner_of
from .states import OFFER_WORKFLOW, OfferStatus, RedemptionOutcome

EXCLUDABLE_LISTS = tuple(k.value for k in ListKind)

LIVE_OFFERS: TTLCache[list[Offer]] = TTLCache(5, shared="offers")


class PerPersonPeriod(StrEnum):
    """Over what an offer's `per_person_limit` counts one person's redemptions."""

    EVER = "ever"  # at most N uses in all
    DAY = "day"  # at most N a day (the city's calendar day)
    MONTH = "month"  # at most N a calendar month
    OPEN = "open"  # at most N still open (a loan not yet returned: its outcome not reported)


def _period_start(period: str, today: dt.date) -> dt.datetime | None:
    """The first instant (UTC) of the day or month `today` is in, in the city's time zone."""
    if period == PerPersonPeriod.DAY:
        first = today
    elif period == PerPersonPeriod.MONTH:
        first = today.replace(day=1)
    else:
        return None
    return dt.datetime.combine(first, dt.time(), clock.zone()).astimezone(dt.UTC)


@dataclass(frozen=True)
class PriorUses:
    """What verifyPass needs of one person's redemptions of the offers it checks."""

    redeemed: frozenset[int]  # the offers this very presentation was already redeemed for
    at_limit: frozenset[int]  # the offers this person may not use again now


async def prior_uses(person_id: int, offers: Sequence[Offer], identity: str) -> PriorUses:
    """This person's redemptions of `offers`, read in one statement (a person has a few) and
    counted over each offer's `per_person_period`; and which of them this presentation
    (`identity`, pass-format.md) made — a presentation is redeemed for its holder only, so
    reading by person finds them all (verifyPass shows these as `used` and
    `per_person_limit`; createRedemption refuses them)."""
    if not offers:
        return PriorUses(frozenset(), frozenset())
    by_id = {o.id: o for o in offers}
    rows = await bulk.read_rows(  # committed rows, beside the writer (in a transaction: its own)
        'SELECT "offer_id", "presentation_hash", "outcome", "created_at" FROM "redemption" '
        f'WHERE "person_id" = ? AND "offer_id" IN {bulk.in_list(len(by_id))}',
        [person_id, *by_id],
    )
    today = clock.today()
    starts: dict[str, dt.datetime | None] = {p: _period_start(p, today) for p in PerPersonPeriod}
    redeemed: set[int] = set()
    uses: dict[int, int] = {}
    for offer_id, presentation, outcome, created_at in rows:
        offer = by_id[int(offer_id)]
        if identity and presentation == identity:
            redeemed.add(offer.id)
        start = starts.get(offer.per_person_period)
        if start is not None:
            counts = _aware(created_at) >= start
        elif offer.per_person_period == PerPersonPeriod.OPEN:
            counts = outcome == RedemptionOutcome.OPEN
        else:
            counts = True
        uses[offer.id] = uses.get(offer.id, 0) + counts
    at_limit = {
        o.id
        for o in offers
        if o.per_person_limit is not None and uses.get(o.id, 0) >= o.per_person_limit
    }
    return PriorUses(frozenset(redeemed), frozenset(at_limit))


def _aware(value: Any) -> dt.datetime:
    """A stored instant as the driver gives it (SQLite: ISO text) as an aware datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def terms(offer: Offer) -> OfferTerms:
    return OfferTerms(
        status=offer.status,
        valid_from=offer.valid_from,
        valid_until=offer.valid_until,
        min_tier=offer.min_tier,
        excluded_lists=frozenset(x for x in offer.excluded_lists.split(",") if x),
        required_lists=frozenset(x for x in offer.required_lists.split(",") if x),
        quota=offer.quota,
        used=offer.used,
    )


async def create_offer(*, admin: Principal, fields: dict[str, Any]) -> Offer:
    """createOffer: `fields` are NewOffer's; the offer waits for the credit office."""
    partner = await partner_of(admin)
    excluded = list(fields.get("excluded_lists", []))
    if any(x not in EXCLUDABLE_LISTS for x in excluded):
        raise invalid("excluded_lists", "excluded lists are red, gray or black", "enum")
    if fields["valid_until"] < fields["valid_from"]:
        raise invalid("valid_until", "must not be before valid_from")
    if fields.get("per_person_period", "ever") not in set(PerPersonPeriod):
        raise invalid("per_person_period", "ever, day, month or open", "enum")
    if counter_kind(partner.domain) == CounterKind.MERCHANT and "gray" in excluded:
        # the answer's why_not would tell a merchant who is on the gray list (docs/programme.md)
        raise invalid("excluded_lists", "a merchant's offer cannot depend on the gray list")
    required = list(fields.get("required_lists", []))
    if any(x not in REQUIRABLE_LISTS for x in required):
        raise invalid("required_lists", "an offer may require the red list only", "enum")
    if set(required) & set(excluded):
        raise invalid("required_lists", "a list cannot be both required and excluded")
    values = fields | {
        "excluded_lists": ",".join(sorted(set(excluded))),
        "required_lists": ",".join(sorted(set(required))),
    }
    offer = await Offer.create(
        partner_id=partner.id, domain=partner.domain, status=OfferStatus.PENDING, **values
    )
    await audit.record(
        action="offer.submitted", actor=admin, details={"offer": offer.id, "partner": partner.id}
    )
    return offer


async def decide_offer(*, officer: Principal, offer_id: int, approve: bool) -> Offer:
    async def record(offer: Offer, _was: OfferStatus) -> None:
        await audit.record(
            action="offer.approved" if approve else "offer.rejected",
            actor=officer,
            details={"offer": offer.id},
        )

    offer = await transition(
        OFFER_WORKFLOW,
        Offer,
        item_id=offer_id,
        to=OfferStatus.LIVE if approve else OfferStatus.REJECTED,
        changes={"decided_by_id": officer.account_id},
        record=record,
    )
    await LIVE_OFFERS.invalidate(offer.partner_id)
    return offer


async def withdraw_offer(*, admin: Principal, offer_id: int) -> Offer:
    """withdrawOffer: only the partner's own offers (another partner's is not found)."""
    partner = await partner_of(admin)

    async def record(offer: Offer, was: OfferStatus) -> None:
        await audit.record(
            action="offer.withdrawn",
            actor=admin,
            details={"offer": offer.id, "partner": partner.id, "was": was.value},
        )

    offer = await transition(
        OFFER_WORKFLOW,
        Offer,
        item_id=offer_id,
        to=OfferStatus.WITHDRAWN,
        where={"partner_id": partner.id},
        record=record,
    )
    await LIVE_OFFERS.invalidate(offer.partner_id)
    return offer


async def offers_of(partner_id: int, *, live_only: bool) -> list[Offer]:
    if live_only:
        return await LIVE_OFFERS.get(
            partner_id,
            lambda: Offer.filter(partner_id=partner_id, status=OfferStatus.LIVE).order_by("id"),
        )
    return await Offer.filter(partner_id=partner_id).order_by("id")


async def is_live_at(partner_id: int, offer_id: int) -> bool:
    return await Offer.filter(id=offer_id, partner_id=partner_id, status=OfferStatus.LIVE).exists()


async def offer_at(partner_id: int, offer_id: int) -> Offer | None:
    """One of this partner's offers, whatever its state (a counter shows its title)."""
    return await Offer.get_or_none(id=offer_id, partner_id=partner_id)


async def _with_partners(offers: list[Offer]) -> list[tuple[Offer, Partner | None]]:
    owners = {p.id: p for p in await Partner.filter(id__in=list({o.partner_id for o in offers}))}
    return [(o, owners.get(o.partner_id)) for o in offers]


async def pending_offers() -> list[tuple[Offer, Partner | None]]:
    """listPendingOffers: offers waiting for the credit office, with their partners."""
    return await _with_partners(await Offer.filter(status=OfferStatus.PENDING).order_by("id"))


async def live_offers(domain: str | None = None) -> list[tuple[Offer, Partner]]:
    query = Offer.filter(status=OfferStatus.LIVE, valid_until__gte=clock.today())
    if domain:
        query = query.filter(domain=domain)
    found = await _with_partners(await query.order_by("domain", "id"))
    return [(o, p) for o, p in found if p is not None]


@dataclass(frozen=True)
class Browse:
    """browseOffers: the resident's tier and lists, and every live offer with why not."""

    tier: str
    lists: frozenset[str]
    offers: list[tuple[Offer, Partner, WhyNot | None]]


async def browse(*, principal: Principal, domain: str | None) -> Browse:
    tier, lists = "none", frozenset[str]()
    if principal.person_id is not None:
        tier, lists = await passes.pass_state(principal.person_id)
    today = clock.today()
    return Browse(
        tier,
        lists,
        [
            (o, p, why_not(terms(o), tier=tier, lists=lists, today=today))
            for o, p in await live_offers(domain)
        ],
    )
