"""syncOfflineRedemptions (离线核验上传): what an offline counter queued — benefits it
confirmed and passes it checked without a network — sent when it is back online.

The server checks each item again *as of the moment the counter handled it*: the same ordered
checks as online (`passes.service.check` with `now` = that moment), so a presentation the
phone signed then is fresh then and a counter cannot invent one later. A pass revoked *after*
that moment was valid when it was used; one revoked before is refused (the counter's list
was stale) and flagged. Eligibility is the certificate's own tier and lists, as the counter
saw them. A presentation confirmed at two offline counters is one redemption: the second
item is a `duplicate`, flagged to the partner in the answer and in the portal.

Idempotent per item: a counter that resends a batch (the answer was lost) gets the stored
outcome of every item it sent before, and nothing is recorded twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core import clock
from ..core.keys import KeyRing
from ..core.principal import Principal
from ..passes import service as passes
from .checks import redemption_identity
from .eligibility import OfferTerms, why_not
from .models import Offer, Partner, Redemption
from .offers import LIVE_OFFERS
from .offline_models import OfflineItem, SyncOutcome
from .service import partner_of
from .states import OfferStatus, RedemptionOutcome

CLOCK_SKEW = dt.timedelta(minutes=5)  # a counter's clock may run this much ahead
# An item older than this is refused (`too_late`): the eligibility keys that open it are kept
# 7 days, and a benefit reported a week late is no longer an offline hiccup.
SYNC_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class QueuedItem:
    """One item as the counter queued it (`schemas.OfflineItem`)."""

    item_id: str
    kind: str  # check | confirm
    text: str
    offer_id: int | None
    confirmed_at: dt.datetime
    lists_as_of: dt.datetime


@dataclass(frozen=True)
class Synced:
    row: OfflineItem
    first: OfflineItem | None = None  # a duplicate: the other counter's item, if offline too

    @property
    def flagged(self) -> bool:
        return self.row.outcome in (SyncOutcome.DUPLICATE, SyncOutcome.REFUSED)


async def sync_offline(
    *,
    actor: Principal,
    keyring: KeyRing,
    counter: str,
    items: list[QueuedItem],
    max_list_age: dt.timedelta,
) -> list[Synced]:
    """Each item once: recorded, duplicate, refused (with a reason) or logged."""
    partner = await partner_of(actor)
    done: list[Synced] = []
    for item in items:
        stored = await OfflineItem.get_or_none(partner_id=partner.id, item_id=item.item_id)
        if stored is None:
            stored = await _handle(actor, keyring, partner, counter, item, max_list_age)
        done.append(Synced(stored, await _first_of(stored)))
    return done


async def _first_of(row: OfflineItem) -> OfflineItem | None:
    if row.outcome != SyncOutcome.DUPLICATE or row.redemption_id is None:
        return None
    return (
        await OfflineItem.filter(redemption_id=row.redemption_id, outcome=SyncOutcome.RECORDED)
        .order_by("id")
        .first()
    )


def _refusal(item: QueuedItem, now: dt.datetime, max_list_age: dt.timedelta) -> str:
    """Why an item is refused before its pass is looked at ("" when it may be checked)."""
    if item.confirmed_at > now + CLOCK_SKEW or item.lists_as_of > item.confirmed_at + CLOCK_SKEW:
        return "clock_ahead"
    if item.confirmed_at < now - SYNC_WINDOW:
        return "too_late"
    if item.confirmed_at - item.lists_as_of > max_list_age:
        return "lists_too_old"  # the counter page refuses these itself; an older client may not
    return ""


async def _handle(
    actor: Principal,
    keyring: KeyRing,
    partner: Partner,
    counter: str,
    item: QueuedItem,
    max_list_age: dt.timedelta,
) -> OfflineItem:
    now = clock.now()
    base: dict[str, Any] = {
        "partner_id": partner.id,
        "item_id": item.item_id,
        "kind": item.kind,
        "counter": counter,
        "operator": actor.display_name[:120],
        "offer_id": item.offer_id,
        "confirmed_at": item.confirmed_at,
        "lists_as_of": item.lists_as_of,
        "received_at": now,
    }
    refused = _refusal(item, now, max_list_age)
    if refused:
        return await _store(base, SyncOutcome.REFUSED, refused)
    verdict, cert = await passes.check(
        item.text, keyring=keyring, now=int(item.confirmed_at.timestamp())
    )
    # `check` says revoked only after every other check passed: revoked later was valid then.
    revoked_at = cert.revoked_at if cert is not None else None
    if verdict.reason == "revoked" and revoked_at is not None and revoked_at > item.confirmed_at:
        verdict = replace(verdict, valid=True, reason="valid")
    if cert is None or verdict.certificate is None:
        return await _store(base, SyncOutcome.REFUSED, verdict.reason)
    day = item.confirmed_at.astimezone(clock.zone()).date()
    identity = redemption_identity(verdict, cert, day) if verdict.valid else ""
    base |= {"identity": identity, "person_id": cert.person_id}
    await audit.record(
        action="pass.verified",
        actor=actor,
        subject_person_id=cert.person_id,
        purpose="benefit check",
        details={"partner": partner.id, "reason": verdict.reason, "offline": True,
                 "counter": counter, "at": item.confirmed_at.isoformat()},
    )  # fmt: skip
    if not verdict.valid:
        return await _store(base, SyncOutcome.REFUSED, verdict.reason)
    if item.kind == "check":
        return await _store(base, SyncOutcome.LOGGED, "")
    offer = await Offer.get_or_none(id=item.offer_id, partner_id=partner.id)
    if offer is None:
        return await _store(base, SyncOutcome.REFUSED, "not_live")
    cert_lists = frozenset(verdict.certificate.lists)
    reason = why_not(_terms_then(offer), tier=verdict.certificate.tier, lists=cert_lists, today=day)
    if reason is not None:
        return await _store(base, SyncOutcome.REFUSED, str(reason))
    return await _record(actor, partner, offer, base, cert.pass_id, identity, day)


def _terms_then(offer: Offer) -> OfferTerms:
    """The offer's terms as the counter applied them: its quota is not known offline, and an
    offer withdrawn since was live when the counter used it (its dates still bound it)."""
    live = offer.status in (OfferStatus.LIVE, OfferStatus.WITHDRAWN)
    return OfferTerms(
        status=OfferStatus.LIVE if live else offer.status,
        valid_from=offer.valid_from,
        valid_until=offer.valid_until,
        min_tier=offer.min_tier,
        excluded_lists=frozenset(x for x in offer.excluded_lists.split(",") if x),
        required_lists=frozenset(x for x in offer.required_lists.split(",") if x),
        quota=None,
        used=0,
    )


async def _record(
    actor: Principal,
    partner: Partner,
    offer: Offer,
    base: dict[str, Any],
    pass_id: str,
    identity: str,
    day: dt.date,
) -> OfflineItem:
    due = (
        day + dt.timedelta(days=offer.grace_days)
        if offer.kind in ("deposit_waived", "pay_later")
        else None
    )
    try:
        async with in_transaction():
            # The quota counts offline uses too, even past it: the benefit was given.
            await Offer.filter(id=offer.id).update(used=F("used") + 1)
            LIVE_OFFERS.forget(offer.partner_id)
            redemption = await Redemption.create(
                offer_id=offer.id,
                partner_id=partner.id,
                person_id=base["person_id"],
                pass_id=pass_id,
                presentation_hash=identity,
                operator=actor.display_name[:120],
                deposit_waived_cents=offer.amount_cents if offer.kind == "deposit_waived" else 0,
                due_on=due,
                outcome=RedemptionOutcome.OPEN,
            )
            row = await OfflineItem.create(
                **base, outcome=SyncOutcome.RECORDED, redemption_id=redemption.id
            )
            await audit.record(
                action="redemption.created",
                actor=actor,
                subject_person_id=base["person_id"],
                purpose="benefit use",
                details={"redemption": redemption.id, "offer": offer.id, "offline": True,
                         "counter": base["counter"], "at": base["confirmed_at"].isoformat()},
            )  # fmt: skip
    except IntegrityError:
        first = await Redemption.get_or_none(offer_id=offer.id, presentation_hash=identity)
        return await _store(
            base | {"redemption_id": first.id if first else None},
            SyncOutcome.DUPLICATE,
            "already_used",
        )
    return row


async def _store(base: dict[str, Any], outcome: SyncOutcome, reason: str) -> OfflineItem:
    try:
        return await OfflineItem.create(**base, outcome=outcome, reason=reason[:32])
    except IntegrityError:  # the same item sent twice at once: the first one's answer
        return await OfflineItem.get(partner_id=base["partner_id"], item_id=base["item_id"])


async def flagged(*, partner_id: int, limit: int = 50) -> list[OfflineItem]:
    """For the partner portal: offline items that need a look (duplicates, refusals)."""
    return (
        await OfflineItem.filter(
            partner_id=partner_id, outcome__in=[SyncOutcome.DUPLICATE, SyncOutcome.REFUSED]
        )
        .order_by("-id")
        .limit(limit)
    )
